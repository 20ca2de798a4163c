package log

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/commitlog-go/commitlog/vfs"
)

// A log opened with Options.ReadOnly runs the Open of a writable log, over
// a view of its file system that takes every change in memory and never
// passes one on (readOnlyFS below). Recovery finds the valid end of the log
// and "cuts" the torn tail in the view, indexes are rebuilt in it, leftovers
// are "removed" from it, and the files on disk stay as they were, byte for
// byte. The calls that would change the log refuse with ErrReadOnly (see
// Log.usable), before they change even the view; the flusher and the
// retention loop do not run.
//
// Reading through a view, rather than teaching each layer a read-only
// mode, keeps one code path for both: whatever Open would write for a
// writable log cannot reach the disk for a read-only one, including what
// a later change to recovery or the indexes may come to write.

// openDir readies dir for Open. A writable log's directory is created if
// missing. A read-only log's must exist; the options then get the view of
// the file system that keeps the log's writes in memory.
func openDir(opts *Options, dir string) error {
	if !opts.ReadOnly {
		return vfs.MkdirAllSynced(opts.FS, dir)
	}
	info, err := opts.FS.Stat(dir)
	if err != nil {
		return fmt.Errorf("log: opening %s read-only: %w", dir, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("log: opening %s read-only: not a directory", dir)
	}
	opts.FS = newReadOnlyFS(opts.FS)
	return nil
}

// useDurablePointOnDisk sets the recovery point of a log opened read-only
// to what the files say is durable. After a clean shutdown that is the log
// end, as loadSegments set it. Otherwise it is the checkpointed recovery
// point, which a writer moves after its background flushes and on Close:
// recovery, which leaves the recovery point at the first segment it read
// for the flusher to sync the rest, syncs nothing here.
func (l *Log) useDurablePointOnDisk() {
	rp := l.flush.recoveryPoint.Load()
	if ckpt, ok, err := l.readCheckpointAtOpen(recoveryPointFile); err == nil && ok {
		rp = max(rp, min(ckpt, l.logEnd.Load()))
	}
	l.flush.recoveryPoint.Store(rp)
}

// readOnlyFS is a view of a file system that never changes it. Files are
// read from the base file system until the view changes them: a file cut
// shorter is still read from the base, up to its new size; a file written
// to, or grown, is copied into memory first (its trailing zero bytes,
// which a preallocated index has many of, are not copied but read as
// zeros); a file created is made in memory; a file removed is hidden.
// Syncs do nothing. MkdirAll and Lock are refused with ErrReadOnly: Open
// of a read-only log calls neither.
//
// A file the view opens for writing keeps the size it had then: a writer
// in another process may go on appending to it, and the view reads none of
// that, so that the log sees its files as they were when Open read them.
//
// Log files are not memory-mapped through the view: a writer that cuts a
// file under a map would make a read of the lost pages fault. The view's
// files hide the base file's descriptor, and reads use ReadAt.
type readOnlyFS struct {
	base vfs.FS

	mu sync.Mutex
	// files are the files the view has changed or may change, by clean
	// path; gone are base names it removed (and not created again).
	files map[string]*viewFile
	gone  map[string]bool
}

var _ vfs.FS = (*readOnlyFS)(nil)

func newReadOnlyFS(base vfs.FS) *readOnlyFS {
	return &readOnlyFS{base: base, files: make(map[string]*viewFile), gone: make(map[string]bool)}
}

// viewFile is a file of the view: a base file read up to size, or, once
// src is "", a file in memory.
type viewFile struct {
	mu      sync.RWMutex
	name    string // base name, for Stat
	src     string // the base file's path; "" for a file in memory
	size    int64
	data    []byte // the file in memory: bytes from len(data) to size are zeros
	modTime time.Time
}

func notExist(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

func (v *readOnlyFS) createLocked(name string) *viewFile {
	f := &viewFile{name: filepath.Base(name), modTime: time.Now()}
	v.files[name] = f
	delete(v.gone, name)
	return f
}

// Create makes an empty file in memory, hiding any base file of the name.
func (v *readOnlyFS) Create(name string) (vfs.File, error) {
	name = filepath.Clean(name)
	v.mu.Lock()
	defer v.mu.Unlock()
	return &viewHandle{f: v.createLocked(name), name: name, writable: true}, nil
}

// Open opens a file for reading: the view's, or else the base file as it
// is.
func (v *readOnlyFS) Open(name string) (vfs.File, error) { return v.open(name, false) }

// OpenReadWrite opens a file of the view for reading and writing, creating
// it in memory if there is none. A base file opened so is taken into the
// view at its present size.
func (v *readOnlyFS) OpenReadWrite(name string) (vfs.File, error) { return v.open(name, true) }

func (v *readOnlyFS) open(name string, writable bool) (vfs.File, error) {
	name = filepath.Clean(name)
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.files[name]
	if f == nil {
		if v.gone[name] {
			if !writable {
				return nil, notExist("open", name)
			}
			f = v.createLocked(name)
			return &viewHandle{f: f, name: name, writable: true}, nil
		}
		base, err := v.base.Open(name)
		switch {
		case err == nil && !writable:
			return baseHandle{base}, nil
		case errors.Is(err, fs.ErrNotExist) && writable:
			f = v.createLocked(name)
			return &viewHandle{f: f, name: name, writable: true}, nil
		case err != nil:
			return nil, err
		}
		info, err := base.Stat()
		if err != nil {
			base.Close()
			return nil, err
		}
		f = &viewFile{name: filepath.Base(name), src: name, size: info.Size(), modTime: info.ModTime()}
		v.files[name] = f
		return &viewHandle{f: f, name: name, base: base, writable: true}, nil
	}
	h := &viewHandle{f: f, name: name, writable: writable}
	f.mu.RLock()
	src := f.src
	f.mu.RUnlock()
	if src != "" {
		base, err := v.base.Open(src)
		if err != nil {
			return nil, err
		}
		h.base = base
	}
	return h, nil
}

// Remove hides a file from the view. A name the view has already removed
// is an error wrapping fs.ErrNotExist; one missing from the base is not,
// since another process may have removed it since the view listed it.
func (v *readOnlyFS) Remove(name string) error {
	name = filepath.Clean(name)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.files[name] == nil {
		if v.gone[name] {
			return notExist("remove", name)
		}
		if _, err := v.base.Stat(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	delete(v.files, name)
	v.gone[name] = true
	return nil
}

// RemoveAll hides name and every file of the view below it.
func (v *readOnlyFS) RemoveAll(name string) error {
	name = filepath.Clean(name)
	v.mu.Lock()
	defer v.mu.Unlock()
	for path := range v.files {
		if path == name || strings.HasPrefix(path, name+string(filepath.Separator)) {
			delete(v.files, path)
		}
	}
	v.gone[name] = true
	return nil
}

// Rename moves a file of the view, or a base file into the view, to
// newname.
func (v *readOnlyFS) Rename(oldname, newname string) error {
	oldname, newname = filepath.Clean(oldname), filepath.Clean(newname)
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.files[oldname]
	if f == nil {
		if v.gone[oldname] {
			return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
		}
		info, err := v.base.Stat(oldname)
		if err != nil {
			return err
		}
		f = &viewFile{src: oldname, size: info.Size(), modTime: info.ModTime()}
	}
	f.mu.Lock()
	f.name = filepath.Base(newname)
	f.mu.Unlock()
	delete(v.files, oldname)
	v.gone[oldname] = true
	v.files[newname] = f
	delete(v.gone, newname)
	return nil
}

// MkdirAll is refused: the view creates no directory.
func (v *readOnlyFS) MkdirAll(dir string, perm os.FileMode) error {
	return &fs.PathError{Op: "mkdir", Path: dir, Err: ErrReadOnly}
}

// List lists the base directory as the view shows it.
func (v *readOnlyFS) List(dir string) ([]string, error) {
	names, err := v.base.List(dir)
	if err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir)
	v.mu.Lock()
	defer v.mu.Unlock()
	names = slices.DeleteFunc(names, func(name string) bool {
		path := filepath.Join(dir, name)
		return v.gone[path] && v.files[path] == nil
	})
	for path := range v.files {
		if filepath.Dir(path) == dir {
			names = append(names, filepath.Base(path))
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// Stat describes a file as the view shows it.
func (v *readOnlyFS) Stat(name string) (os.FileInfo, error) {
	name = filepath.Clean(name)
	v.mu.Lock()
	f, gone := v.files[name], v.gone[name]
	v.mu.Unlock()
	switch {
	case f != nil:
		return f.stat(), nil
	case gone:
		return nil, notExist("stat", name)
	}
	return v.base.Stat(name)
}

// Lock is refused: a read-only log takes no lock.
func (v *readOnlyFS) Lock(name string) (io.Closer, error) {
	return nil, &fs.PathError{Op: "lock", Path: name, Err: ErrReadOnly}
}

// SyncDir does nothing: the view's changes are not to last.
func (v *readOnlyFS) SyncDir(string) error { return nil }

func (f *viewFile) stat() os.FileInfo {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return &viewInfo{name: f.name, size: f.size, modTime: f.modTime}
}

// copyIn makes f a file in memory, from base, the base file opened by the
// handle about to change it. The zero bytes at the end are not copied.
func (f *viewFile) copyIn(base vfs.File) error {
	end := f.size
	buf := make([]byte, min(end, 64<<10))
	for end > 0 {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := base.ReadAt(chunk, start); err != nil {
			return fmt.Errorf("log: reading %s into the read-only view: %w", f.src, err)
		}
		if i := lastNonZero(chunk); i >= 0 {
			end = start + int64(i) + 1
			break
		}
		end = start
	}
	data := make([]byte, end)
	if _, err := base.ReadAt(data, 0); err != nil {
		return fmt.Errorf("log: reading %s into the read-only view: %w", f.src, err)
	}
	f.data, f.src = data, ""
	return nil
}

func lastNonZero(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}

// viewHandle is an open file of the view.
type viewHandle struct {
	f        *viewFile
	name     string
	base     vfs.File // the base file, while f reads from it; nil for a file made in memory
	writable bool
	closeMu  sync.Mutex
	closed   bool
}

var _ vfs.File = (*viewHandle)(nil)

func (h *viewHandle) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: h.name, Err: fs.ErrInvalid}
	}
	f := h.f
	f.mu.RLock()
	defer f.mu.RUnlock()
	if off >= f.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	want := p[:min(int64(len(p)), f.size-off)]
	var n int
	if f.src != "" {
		var err error
		if n, err = h.base.ReadAt(want, off); err != nil {
			return n, err
		}
	} else {
		if off < int64(len(f.data)) {
			n = copy(want, f.data[off:])
		}
		clear(want[n:])
		n = len(want)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (h *viewHandle) WriteAt(p []byte, off int64) (int, error) {
	if !h.writable {
		return 0, &fs.PathError{Op: "write", Path: h.name, Err: ErrReadOnly}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "writeat", Path: h.name, Err: fs.ErrInvalid}
	}
	f := h.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.src != "" {
		if err := f.copyIn(h.base); err != nil {
			return 0, err
		}
	}
	if end := off + int64(len(p)); end > int64(len(f.data)) {
		f.data = append(f.data, make([]byte, end-int64(len(f.data)))...)
	}
	copy(f.data[off:], p)
	f.size = max(f.size, off+int64(len(p)))
	f.modTime = time.Now()
	return len(p), nil
}

func (h *viewHandle) Truncate(size int64) error {
	if !h.writable {
		return &fs.PathError{Op: "truncate", Path: h.name, Err: ErrReadOnly}
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: h.name, Err: fs.ErrInvalid}
	}
	f := h.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.src != "" && size > f.size {
		if err := f.copyIn(h.base); err != nil {
			return err
		}
	}
	if size < int64(len(f.data)) {
		f.data = f.data[:size]
	}
	f.size = size
	f.modTime = time.Now()
	return nil
}

func (h *viewHandle) Sync() error { return nil }

func (h *viewHandle) Stat() (os.FileInfo, error) { return h.f.stat(), nil }

func (h *viewHandle) Close() error {
	h.closeMu.Lock()
	defer h.closeMu.Unlock()
	if h.closed {
		return &fs.PathError{Op: "close", Path: h.name, Err: fs.ErrClosed}
	}
	h.closed = true
	if h.base != nil {
		return h.base.Close()
	}
	return nil
}

// baseHandle is a base file opened for reading through the view. It hides
// the base file's descriptor (see readOnlyFS), and refuses to write or
// sync.
type baseHandle struct{ f vfs.File }

func (b baseHandle) ReadAt(p []byte, off int64) (int, error) { return b.f.ReadAt(p, off) }
func (b baseHandle) Stat() (os.FileInfo, error)              { return b.f.Stat() }
func (b baseHandle) Close() error                            { return b.f.Close() }
func (b baseHandle) Sync() error                             { return nil }

func (b baseHandle) WriteAt([]byte, int64) (int, error) {
	return 0, &fs.PathError{Op: "write", Err: ErrReadOnly}
}

func (b baseHandle) Truncate(int64) error {
	return &fs.PathError{Op: "truncate", Err: ErrReadOnly}
}

// viewInfo describes a file of the view.
type viewInfo struct {
	name    string
	size    int64
	modTime time.Time
}

func (i *viewInfo) Name() string       { return i.name }
func (i *viewInfo) Size() int64        { return i.size }
func (i *viewInfo) Mode() fs.FileMode  { return 0o644 }
func (i *viewInfo) ModTime() time.Time { return i.modTime }
func (i *viewInfo) IsDir() bool        { return false }
func (i *viewInfo) Sys() any           { return nil }
