package vfs

import (
	"io"
	"os"
)

// Default is the FS of the host operating system. Its files implement
// [OSFile], and its errors are the os package's own (*[fs.PathError] and
// *[os.LinkError] values wrapping the system error), except that an open
// refused because the name is a symbolic link fails with an *fs.PathError
// wrapping [ErrSymlink]. It refuses such links with O_NOFOLLOW on Unix and
// with an lstat just before the open elsewhere; see the package
// documentation.
var Default FS = osFS{}

// osFS implements FS with the os package.
type osFS struct{}

func (osFS) Create(name string) (File, error) {
	return openOSFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC)
}

func (osFS) Open(name string) (File, error) {
	return openOSFile(name, os.O_RDONLY)
}

func (osFS) OpenReadWrite(name string) (File, error) {
	return openOSFile(name, os.O_RDWR|os.O_CREATE)
}

func (osFS) Remove(name string) error { return os.Remove(name) }

func (osFS) RemoveAll(name string) error { return os.RemoveAll(name) }

func (osFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

func (osFS) MkdirAll(dir string, perm os.FileMode) error { return os.MkdirAll(dir, perm) }

func (osFS) List(dir string) ([]string, error) {
	// os.ReadDir already sorts the entries by name.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

func (osFS) Stat(name string) (os.FileInfo, error) { return os.Stat(name) }

func (osFS) Lock(name string) (io.Closer, error) { return lockOS(name) }

func (osFS) SyncDir(dir string) error { return syncDir(dir) }

// filePerm is the permission of the files the OS FS creates, before the
// process umask applies.
const filePerm = 0o644

// openOSFile opens name with the given flags, refusing a symbolic link as
// its last component.
func openOSFile(name string, flag int) (File, error) {
	f, err := openFile(name, flag)
	if err != nil {
		return nil, err
	}
	return &osFile{f: f}, nil
}
