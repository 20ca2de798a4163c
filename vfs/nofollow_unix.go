//go:build unix

package vfs

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// openFile opens name with O_NOFOLLOW, so that the kernel itself
// refuses a symbolic link as the last component, with no window between a
// check and the open. The refusal happens before O_CREAT or O_TRUNC take
// effect: Create does not empty a link's target, nor create the missing
// target of a dangling link.
//
// The system error for a refused link differs between hosts (ELOOP on
// Linux, macOS, OpenBSD and Solaris, EMLINK on FreeBSD and DragonFly,
// EFTYPE on NetBSD), and ELOOP also means too many links among the
// directories of the name. So rather than trust the number, a failed open
// is translated to ErrSymlink only when an lstat confirms that name is a
// link. A missing name is never one: O_NOFOLLOW refuses even a dangling
// link before looking at its target.
func openFile(name string, flag int) (*os.File, error) {
	f, err := os.OpenFile(name, flag|unix.O_NOFOLLOW, filePerm)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && isSymlink(name) {
		return nil, symlinkError(name)
	}
	return f, err
}
