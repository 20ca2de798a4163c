//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows)

package vfs

import (
	"errors"
	"io/fs"
	"os"
)

// lockFile fails: this host has no file locking that vfs knows how to use,
// and an in-process lock alone would silently let a second process in.
func lockFile(f *os.File) error {
	return &fs.PathError{Op: "lock", Path: f.Name(), Err: errors.ErrUnsupported}
}

func unlockFile(*os.File) error { return nil }
