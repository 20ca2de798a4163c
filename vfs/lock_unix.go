//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package vfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes a non-blocking exclusive flock on f. A lock held through
// another open file, in any process, makes it fail with ErrLocked.
func lockFile(f *os.File) error {
	return control(f, "lock", func(fd uintptr) error {
		for {
			err := unix.Flock(int(fd), unix.LOCK_EX|unix.LOCK_NB)
			switch err {
			case unix.EINTR:
				continue
			case unix.EWOULDBLOCK:
				return ErrLocked
			}
			return err
		}
	})
}

// unlockFile releases the flock taken by lockFile. Closing f would release
// it too; doing it explicitly keeps the release independent of any other
// descriptor that might share the open file.
func unlockFile(f *os.File) error {
	return control(f, "unlock", func(fd uintptr) error {
		return unix.Flock(int(fd), unix.LOCK_UN)
	})
}
