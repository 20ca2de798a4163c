package vfs

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// memFile is an open file of a MemFS. Like a POSIX descriptor it keeps
// working on its file after the name is removed or renamed.
type memFile struct {
	node     *memNode
	name     string // as passed to open, for errors
	readOnly bool
	closed   atomic.Bool
}

var _ File = (*memFile)(nil)

// check returns the error for operation op if f is closed, or if it is
// read-only and the operation writes.
func (f *memFile) check(op string, write bool) error {
	switch {
	case f.closed.Load():
		return &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed}
	case write && f.readOnly:
		return &fs.PathError{Op: op, Path: f.name, Err: syscall.EBADF}
	}
	return nil
}

// Close implements [File.Close]. Closing twice fails with [fs.ErrClosed],
// as with the os package.
func (f *memFile) Close() error {
	if !f.closed.CompareAndSwap(false, true) {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	return nil
}

// ReadAt implements [io.ReaderAt].
func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.check("read", false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.name, Err: fs.ErrInvalid}
	}
	n := f.node
	n.mu.RLock()
	defer n.mu.RUnlock()
	if off >= int64(len(n.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	c := copy(p, n.data[off:])
	if c < len(p) {
		return c, io.EOF
	}
	return c, nil
}

// WriteAt implements [io.WriterAt]. Writing past the end fills the gap
// with zeros.
func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.check("write", true); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "writeat", Path: f.name, Err: fs.ErrInvalid}
	}
	n := f.node
	n.mu.Lock()
	defer n.mu.Unlock()
	// The first byte to change is at off, or at the old end if the write
	// leaves a gap to fill with zeros.
	n.unshare(min(off, int64(len(n.data))))
	if end := off + int64(len(p)); end > int64(len(n.data)) {
		n.resize(end)
	}
	copy(n.data[off:], p)
	n.modTime = time.Now()
	return len(p), nil
}

// Truncate implements [File.Truncate].
func (f *memFile) Truncate(size int64) error {
	if err := f.check("truncate", true); err != nil {
		return err
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: f.name, Err: fs.ErrInvalid}
	}
	f.node.mu.Lock()
	f.node.truncate(size)
	f.node.mu.Unlock()
	return nil
}

// Sync implements [File.Sync]: the current contents become the ones a
// crash keeps.
func (f *memFile) Sync() error {
	if err := f.check("sync", false); err != nil {
		return err
	}
	n := f.node
	n.mu.Lock()
	defer n.mu.Unlock()
	n.durable = n.data[:len(n.data):len(n.data)]
	n.sharedLen = max(n.sharedLen, len(n.data))
	return nil
}

// Stat implements [File.Stat].
func (f *memFile) Stat() (os.FileInfo, error) {
	if err := f.check("stat", false); err != nil {
		return nil, err
	}
	f.node.mu.RLock()
	defer f.node.mu.RUnlock()
	return f.node.stat(filepath.Base(cleanPath(f.name))), nil
}
