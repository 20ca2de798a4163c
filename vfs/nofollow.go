package vfs

import (
	"errors"
	"io/fs"
	"os"
)

// ErrSymlink is wrapped by the error of an FS method that opens a file
// (Create, Open, OpenReadWrite, Lock) when the last component of the name
// is a symbolic link. The storage layers never read or write a file
// through a link: a link planted in a data directory must not make
// recovery truncate, or an append extend, a file somewhere else.
// Directories earlier in the name may be links; those are followed.
var ErrSymlink = errors.New("vfs: refusing to follow a symbolic link")

// isSymlink reports whether name itself, not what it points to, is a
// symbolic link. A name that cannot be examined is not one.
func isSymlink(name string) bool {
	info, err := os.Lstat(name)
	return err == nil && info.Mode()&fs.ModeSymlink != 0
}

// Every open of Default goes through openFile(name, flag), defined per
// host in nofollow_unix.go and nofollow_other.go: it opens name as
// os.OpenFile does, files it creates getting filePerm, but fails with an
// error wrapping ErrSymlink when the last component of name is a symbolic
// link.

// symlinkError is the error of an open refused because name is a symbolic
// link, shaped as the os package's open errors are.
func symlinkError(name string) error {
	return &fs.PathError{Op: "open", Path: name, Err: ErrSymlink}
}
