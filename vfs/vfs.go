package vfs

import (
	"errors"
	"io"
	"os"
)

// ErrLocked is returned by [FS.Lock] when the lock is already held, by this
// process or by another one.
var ErrLocked = errors.New("vfs: already locked by another owner")

// FS is the set of filesystem operations the storage layers use. Names are
// paths in the host's syntax: [path/filepath] functions work on them.
//
// Creating, renaming or removing a file changes its directory; such a change
// survives a crash only after [FS.SyncDir] on that directory returns.
//
// The methods that open a file (Create, Open, OpenReadWrite and Lock) never
// follow a symbolic link at the last component of the name: they fail with
// an error that wraps [ErrSymlink] and names the file, and leave the link
// and its target as they were. Directories earlier in the name may be
// links and are followed, as are links given to List, SyncDir, MkdirAll and
// Stat. Remove and Rename act on a link itself, never on its target.
type FS interface {
	// Create creates the named file for reading and writing, truncating it
	// if it already exists. A symbolic link at name is refused with an
	// error wrapping ErrSymlink; its target is neither truncated nor
	// created.
	Create(name string) (File, error)
	// Open opens the named file for reading only. A symbolic link at name
	// is refused with an error wrapping ErrSymlink.
	Open(name string) (File, error)
	// OpenReadWrite opens the named file for reading and writing, creating
	// it empty if it does not exist. An existing file keeps its contents.
	// A symbolic link at name is refused with an error wrapping
	// ErrSymlink.
	OpenReadWrite(name string) (File, error)
	// Remove removes the named file or empty directory.
	Remove(name string) error
	// RemoveAll removes name and everything below it. A name that does not
	// exist is not an error.
	RemoveAll(name string) error
	// Rename renames oldname to newname, replacing newname if it is an
	// existing file; an existing directory is never replaced. The
	// replacement is atomic: a crash leaves one or the other. Both
	// directories must be synced for the rename to be durable.
	Rename(oldname, newname string) error
	// MkdirAll creates a directory and any missing parents.
	MkdirAll(dir string, perm os.FileMode) error
	// List returns the base names of the entries of dir, sorted.
	List(dir string) ([]string, error)
	// Stat describes the named file.
	Stat(name string) (os.FileInfo, error)
	// Lock takes an exclusive advisory lock on the named file, creating the
	// file if needed. It fails with an error wrapping [ErrLocked] if the
	// lock is held, whether by this process or another. Closing the
	// returned value releases the lock; closing it again does nothing. A
	// symbolic link at name is refused with an error wrapping ErrSymlink,
	// and no lock is taken.
	Lock(name string) (io.Closer, error)
	// SyncDir makes the entries of dir (creations, renames and removals of
	// the files and directories in it) durable. It does not sync the
	// contents of the files, nor dir's own entry in its parent.
	SyncDir(dir string) error
}

// File is an open file. Reads and writes are positional, so one File may be
// read by many goroutines while one goroutine writes to it.
type File interface {
	io.Closer
	io.ReaderAt
	io.WriterAt
	// Sync makes the file's contents and size durable (fdatasync where the
	// host has it). It does not make the file's name durable: see
	// [FS.SyncDir].
	Sync() error
	// Truncate changes the size of the file, dropping or zero-filling its
	// tail.
	Truncate(size int64) error
	// Stat describes the file.
	Stat() (os.FileInfo, error)
}

// OSFile is implemented by files backed by an operating-system file, for
// callers that want a descriptor (memory mapping, fadvise) or want
// [io.Copy] to a socket to use sendfile.
type OSFile interface {
	OSFile() *os.File
}
