package vfs

import (
	"io/fs"
	"os"
)

// osFile is a File backed by an *os.File. It does not embed the *os.File,
// so that it offers exactly the File methods plus OSFile, and so that Sync
// can do less work than (*os.File).Sync where the host allows.
type osFile struct {
	f *os.File
}

var (
	_ File   = (*osFile)(nil)
	_ OSFile = (*osFile)(nil)
)

func (f *osFile) Close() error                             { return f.f.Close() }
func (f *osFile) ReadAt(p []byte, off int64) (int, error)  { return f.f.ReadAt(p, off) }
func (f *osFile) WriteAt(p []byte, off int64) (int, error) { return f.f.WriteAt(p, off) }
func (f *osFile) Truncate(size int64) error                { return f.f.Truncate(size) }
func (f *osFile) Stat() (os.FileInfo, error)               { return f.f.Stat() }
func (f *osFile) Sync() error                              { return datasync(f.f) }

// OSFile returns the underlying file. The caller must not close it; closing
// the File does that.
func (f *osFile) OSFile() *os.File { return f.f }

// control runs fn with the descriptor (or handle) of f, which stays open
// until fn returns. Errors are reported as *fs.PathError values naming f,
// under the operation op, in the manner of the os package.
func control(f *os.File, op string, fn func(fd uintptr) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return &fs.PathError{Op: op, Path: f.Name(), Err: err}
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(fd) }); err != nil {
		// Control only fails when the file has already been closed.
		return &fs.PathError{Op: op, Path: f.Name(), Err: fs.ErrClosed}
	}
	if ferr != nil {
		return &fs.PathError{Op: op, Path: f.Name(), Err: ferr}
	}
	return nil
}
