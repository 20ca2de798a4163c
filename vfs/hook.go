package vfs

import (
	"io"
	"os"
	"strconv"
)

// OpKind names a filesystem operation seen by a hook.
type OpKind uint8

// The operations a hook sees: one per method of FS and File.
const (
	OpCreate OpKind = iota
	OpOpen
	OpOpenReadWrite
	OpRemove
	OpRemoveAll
	OpRename
	OpMkdirAll
	OpList
	OpStat
	OpLock
	OpSyncDir
	OpRead     // File.ReadAt
	OpWrite    // File.WriteAt
	OpSync     // File.Sync
	OpTruncate // File.Truncate
	OpFileStat // File.Stat
	OpClose    // File.Close
)

var opNames = [...]string{"create", "open", "open-rw", "remove", "remove-all", "rename", "mkdir-all",
	"list", "stat", "lock", "sync-dir", "read", "write", "sync", "truncate", "file-stat", "close"}

// String names the operation.
func (k OpKind) String() string {
	if int(k) < len(opNames) {
		return opNames[k]
	}
	return "op(" + strconv.Itoa(int(k)) + ")"
}

// Op is one operation about to run: its kind and the path it works on (for
// File methods, the name the file was opened with; for a rename, the old
// name).
type Op struct {
	Kind OpKind
	Path string
}

// Hook wraps fsys so that hook is called before every operation, on the
// file system and on the files it opens. An error from hook fails the
// operation with that error, which does not run. Tests use it to fail
// chosen operations, to count them, and to take crash clones between them.
// hook may be called from many goroutines at once.
func Hook(fsys FS, hook func(Op) error) FS { return &hookFS{fs: fsys, hook: hook} }

type hookFS struct {
	fs   FS
	hook func(Op) error
}

type hookFile struct {
	f    File
	name string
	hook func(Op) error
}

func (h *hookFS) open(kind OpKind, name string, open func(string) (File, error)) (File, error) {
	if err := h.hook(Op{kind, name}); err != nil {
		return nil, err
	}
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	return &hookFile{f: f, name: name, hook: h.hook}, nil
}

func (h *hookFS) Create(name string) (File, error) { return h.open(OpCreate, name, h.fs.Create) }
func (h *hookFS) Open(name string) (File, error)   { return h.open(OpOpen, name, h.fs.Open) }
func (h *hookFS) OpenReadWrite(name string) (File, error) {
	return h.open(OpOpenReadWrite, name, h.fs.OpenReadWrite)
}

func (h *hookFS) Remove(name string) error {
	if err := h.hook(Op{OpRemove, name}); err != nil {
		return err
	}
	return h.fs.Remove(name)
}

func (h *hookFS) RemoveAll(name string) error {
	if err := h.hook(Op{OpRemoveAll, name}); err != nil {
		return err
	}
	return h.fs.RemoveAll(name)
}

func (h *hookFS) Rename(oldname, newname string) error {
	if err := h.hook(Op{OpRename, oldname}); err != nil {
		return err
	}
	return h.fs.Rename(oldname, newname)
}

func (h *hookFS) MkdirAll(dir string, perm os.FileMode) error {
	if err := h.hook(Op{OpMkdirAll, dir}); err != nil {
		return err
	}
	return h.fs.MkdirAll(dir, perm)
}

func (h *hookFS) List(dir string) ([]string, error) {
	if err := h.hook(Op{OpList, dir}); err != nil {
		return nil, err
	}
	return h.fs.List(dir)
}

func (h *hookFS) Stat(name string) (os.FileInfo, error) {
	if err := h.hook(Op{OpStat, name}); err != nil {
		return nil, err
	}
	return h.fs.Stat(name)
}

func (h *hookFS) Lock(name string) (io.Closer, error) {
	if err := h.hook(Op{OpLock, name}); err != nil {
		return nil, err
	}
	return h.fs.Lock(name)
}

func (h *hookFS) SyncDir(dir string) error {
	if err := h.hook(Op{OpSyncDir, dir}); err != nil {
		return err
	}
	return h.fs.SyncDir(dir)
}

func (f *hookFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.hook(Op{OpRead, f.name}); err != nil {
		return 0, err
	}
	return f.f.ReadAt(p, off)
}

func (f *hookFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.hook(Op{OpWrite, f.name}); err != nil {
		return 0, err
	}
	return f.f.WriteAt(p, off)
}

func (f *hookFile) Sync() error {
	if err := f.hook(Op{OpSync, f.name}); err != nil {
		return err
	}
	return f.f.Sync()
}

func (f *hookFile) Truncate(size int64) error {
	if err := f.hook(Op{OpTruncate, f.name}); err != nil {
		return err
	}
	return f.f.Truncate(size)
}

func (f *hookFile) Stat() (os.FileInfo, error) {
	if err := f.hook(Op{OpFileStat, f.name}); err != nil {
		return nil, err
	}
	return f.f.Stat()
}

func (f *hookFile) Close() error {
	if err := f.hook(Op{OpClose, f.name}); err != nil {
		return err
	}
	return f.f.Close()
}
