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
// The view keeps the base file open from then on, and every later handle
// of the file, and every read, goes through that one descriptor: a writer
// that deletes the file, or puts another of the name in its place, changes
// nothing the view shows, and closing a handle opens nothing by name. The
// view lets go of the base files when it is closed (see Close).
//
// The view makes a file in memory only for a name it never saw in the
// base (listed, opened or described): an index Open rebuilds, say. A base
// file it saw that is gone when it comes to open it, or to rename it, was
// removed by another process meanwhile; that is an error wrapping
// fs.ErrNotExist (errVanished), never an empty file in its place.
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
	// seen are the base names the view has seen exist.
	seen map[string]bool
	// closed says Close ran: a base file is let go as soon as no handle
	// has it open.
	closed bool
}

var (
	_ vfs.FS    = (*readOnlyFS)(nil)
	_ io.Closer = (*readOnlyFS)(nil)
)

// errVanished is the error, wrapping fs.ErrNotExist, of the view's calls
// on a base file another process removed after the view saw it.
var errVanished = fmt.Errorf("removed by another process while the read-only log read it: %w", fs.ErrNotExist)

func newReadOnlyFS(base vfs.FS) *readOnlyFS {
	return &readOnlyFS{base: base, files: make(map[string]*viewFile),
		gone: make(map[string]bool), seen: make(map[string]bool)}
}

// viewFile is a file of the view: a base file read up to size, or, once
// src is "", a file in memory.
type viewFile struct {
	// path is the file's name in the view, "" once it is removed or
	// replaced, and refs the number of its open handles; both are
	// guarded by readOnlyFS.mu.
	path string
	refs int

	mu   sync.RWMutex
	name string // base name, for Stat
	src  string // the base file's path; "" for a file in memory
	// base is the base file, open since the view took it in, while src
	// is set; nil once it is let go (see readOnlyFS.Close).
	base    vfs.File
	size    int64
	data    []byte // the file in memory: bytes from len(data) to size are zeros
	modTime time.Time
}

func notExist(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

// createLocked makes an empty file in memory at name, in place of any
// other. v.mu must be held.
func (v *readOnlyFS) createLocked(name string) *viewFile {
	if old := v.files[name]; old != nil {
		v.dropLocked(old)
	}
	f := &viewFile{path: name, name: filepath.Base(name), modTime: time.Now()}
	v.files[name] = f
	delete(v.gone, name)
	return f
}

// takeInLocked makes base, the base file at name the view has just
// opened, a file of the view, read from base at its present size. v.mu
// must be held. The file is not yet entered under any name.
func (v *readOnlyFS) takeInLocked(name string, base vfs.File) (*viewFile, error) {
	info, err := base.Stat()
	if err != nil {
		base.Close()
		return nil, err
	}
	return &viewFile{name: filepath.Base(name), src: name, base: base,
		size: info.Size(), modTime: info.ModTime()}, nil
}

// dropLocked takes f out of the view's names, letting go of its base file
// if no handle has it open. v.mu must be held; the caller removes f from
// v.files.
func (v *readOnlyFS) dropLocked(f *viewFile) {
	f.path = ""
	if f.refs == 0 {
		f.letGo()
	}
}

// handleLocked returns a new handle of f. v.mu must be held.
func (v *readOnlyFS) handleLocked(f *viewFile, name string, writable bool) *viewHandle {
	f.refs++
	return &viewHandle{v: v, f: f, name: name, writable: writable}
}

// release is called by the last Close of a handle of f: the base file is
// let go if nothing can open f again, or once the view is closed.
func (v *readOnlyFS) release(f *viewFile) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	f.refs--
	if f.refs == 0 && (v.closed || f.path == "") {
		return f.letGo()
	}
	return nil
}

// Close lets go of the base files that the view holds and no handle has
// open; each of the others is let go when its last handle closes. The
// view still works afterwards, for the handles a reader still holds: a
// file opened again after Close keeps its size, but its base bytes are
// no longer read.
func (v *readOnlyFS) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closed = true
	var errs []error
	for _, f := range v.files {
		if f.refs == 0 {
			errs = append(errs, f.letGo())
		}
	}
	return errors.Join(errs...)
}

// Create makes an empty file in memory, hiding any base file of the name.
func (v *readOnlyFS) Create(name string) (vfs.File, error) {
	name = filepath.Clean(name)
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.handleLocked(v.createLocked(name), name, true), nil
}

// Open opens a file for reading: the view's, or else the base file as it
// is.
func (v *readOnlyFS) Open(name string) (vfs.File, error) { return v.open(name, false) }

// OpenReadWrite opens a file of the view for reading and writing, creating
// it in memory if there is none and the base never had one. A base file
// opened so is taken into the view at its present size.
func (v *readOnlyFS) OpenReadWrite(name string) (vfs.File, error) { return v.open(name, true) }

func (v *readOnlyFS) open(name string, writable bool) (vfs.File, error) {
	name = filepath.Clean(name)
	v.mu.Lock()
	defer v.mu.Unlock()
	if f := v.files[name]; f != nil {
		return v.handleLocked(f, name, writable), nil
	}
	if v.gone[name] {
		if !writable {
			return nil, notExist("open", name)
		}
		return v.handleLocked(v.createLocked(name), name, true), nil
	}
	base, err := v.base.Open(name)
	switch {
	case errors.Is(err, fs.ErrNotExist) && v.seen[name]:
		return nil, &fs.PathError{Op: "open", Path: name, Err: errVanished}
	case errors.Is(err, fs.ErrNotExist) && writable:
		// A name the base never showed the view: a file Open makes,
		// such as a missing index it rebuilds.
		return v.handleLocked(v.createLocked(name), name, true), nil
	case err != nil:
		return nil, err
	}
	v.seen[name] = true
	if !writable {
		return baseHandle{base}, nil
	}
	f, err := v.takeInLocked(name, base)
	if err != nil {
		return nil, err
	}
	f.path = name
	v.files[name] = f
	return v.handleLocked(f, name, true), nil
}

// Remove hides a file from the view. A name the view has already removed,
// or that neither the view nor the base ever had, is an error wrapping
// fs.ErrNotExist. A base file the view saw and another process removed
// since is hidden all the same: the view then shows what the base does.
func (v *readOnlyFS) Remove(name string) error {
	name = filepath.Clean(name)
	v.mu.Lock()
	defer v.mu.Unlock()
	if f := v.files[name]; f != nil {
		v.dropLocked(f)
	} else {
		if v.gone[name] {
			return notExist("remove", name)
		}
		_, err := v.base.Stat(name)
		switch {
		case errors.Is(err, fs.ErrNotExist) && !v.seen[name]:
			return notExist("remove", name)
		case err != nil && !errors.Is(err, fs.ErrNotExist):
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
	for path, f := range v.files {
		if path == name || strings.HasPrefix(path, name+string(filepath.Separator)) {
			v.dropLocked(f)
			delete(v.files, path)
		}
	}
	v.gone[name] = true
	return nil
}

// Rename moves a file of the view, or a base file into the view, to
// newname. A base file the view saw and another process removed since is
// an error wrapping fs.ErrNotExist.
func (v *readOnlyFS) Rename(oldname, newname string) error {
	oldname, newname = filepath.Clean(oldname), filepath.Clean(newname)
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.files[oldname]
	if f == nil {
		if v.gone[oldname] {
			return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: fs.ErrNotExist}
		}
		base, err := v.base.Open(oldname)
		if errors.Is(err, fs.ErrNotExist) && v.seen[oldname] {
			return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: errVanished}
		}
		if err != nil {
			return err
		}
		v.seen[oldname] = true
		if f, err = v.takeInLocked(oldname, base); err != nil {
			return err
		}
	}
	if oldname == newname {
		f.path = newname
		v.files[newname] = f
		return nil
	}
	if old := v.files[newname]; old != nil {
		v.dropLocked(old)
	}
	f.mu.Lock()
	f.name = filepath.Base(newname)
	f.mu.Unlock()
	delete(v.files, oldname)
	v.gone[oldname] = true
	f.path = newname
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
	for _, name := range names {
		v.seen[filepath.Join(dir, name)] = true
	}
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
	defer v.mu.Unlock()
	switch f := v.files[name]; {
	case f != nil:
		return f.stat(), nil
	case v.gone[name]:
		return nil, notExist("stat", name)
	}
	info, err := v.base.Stat(name)
	if err != nil {
		return nil, err
	}
	v.seen[name] = true
	return info, nil
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

// letGo closes f's base file, if it holds one. Its bytes are not read
// again; its size stays.
func (f *viewFile) letGo() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.base == nil {
		return nil
	}
	err := f.base.Close()
	f.base = nil
	return err
}

// readBase reads the base file's bytes at off into p. f.mu must be held.
func (f *viewFile) readBase(p []byte, off int64) (int, error) {
	if f.base == nil {
		return 0, &fs.PathError{Op: "read", Path: f.src, Err: fs.ErrClosed}
	}
	return f.base.ReadAt(p, off)
}

// copyIn makes f a file in memory, from its base file, and lets that go.
// The zero bytes at the end are not copied. f.mu must be held for
// writing.
func (f *viewFile) copyIn() error {
	end := f.size
	buf := make([]byte, min(end, 64<<10))
	for end > 0 {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := f.readBase(chunk, start); err != nil {
			return fmt.Errorf("log: reading %s into the read-only view: %w", f.src, err)
		}
		if i := lastNonZero(chunk); i >= 0 {
			end = start + int64(i) + 1
			break
		}
		end = start
	}
	data := make([]byte, end)
	if _, err := f.readBase(data, 0); err != nil {
		return fmt.Errorf("log: reading %s into the read-only view: %w", f.src, err)
	}
	if f.base != nil {
		// Every byte is in memory now: an error closing a descriptor
		// only read loses nothing.
		_ = f.base.Close()
	}
	f.data, f.src, f.base = data, "", nil
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
	v        *readOnlyFS
	f        *viewFile
	name     string
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
		if n, err = f.readBase(want, off); err != nil {
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
		if err := f.copyIn(); err != nil {
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
		if err := f.copyIn(); err != nil {
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

// Close closes the handle. It opens nothing: the base file, if any, stays
// with the view's file, for its other handles and later opens, and is
// closed with the last of them once nothing can open it again.
func (h *viewHandle) Close() error {
	h.closeMu.Lock()
	defer h.closeMu.Unlock()
	if h.closed {
		return &fs.PathError{Op: "close", Path: h.name, Err: fs.ErrClosed}
	}
	h.closed = true
	return h.v.release(h.f)
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
