package vfs

import (
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes a non-blocking exclusive LockFileEx lock on the first byte
// of f. A lock held through another handle, in any process, makes it fail
// with ErrLocked.
func lockFile(f *os.File) error {
	return control(f, "lock", func(h uintptr) error {
		const flags = windows.LOCKFILE_EXCLUSIVE_LOCK | windows.LOCKFILE_FAIL_IMMEDIATELY
		err := windows.LockFileEx(windows.Handle(h), flags, 0, 1, 0, new(windows.Overlapped))
		if err == windows.ERROR_LOCK_VIOLATION {
			return ErrLocked
		}
		return err
	})
}

// unlockFile releases the lock taken by lockFile. Windows also releases it
// when the handle is closed, but only at some later time.
func unlockFile(f *os.File) error {
	return control(f, "unlock", func(h uintptr) error {
		return windows.UnlockFileEx(windows.Handle(h), 0, 1, 0, new(windows.Overlapped))
	})
}
