package vfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync flushes the contents and size of f to stable storage with
// fdatasync, which, unlike fsync, may skip metadata such as the
// modification time that is not needed to read the data back.
func datasync(f *os.File) error {
	return control(f, "sync", func(fd uintptr) error {
		for {
			err := unix.Fdatasync(int(fd))
			if err != unix.EINTR {
				return err
			}
		}
	})
}
