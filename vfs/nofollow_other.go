//go:build !unix

package vfs

import "os"

// openFile refuses name if an lstat shows it is a symbolic link, and
// otherwise opens it. These hosts (Windows among them) have no O_NOFOLLOW,
// so the check and the open are two steps: a link that replaces the file
// between them is followed. That race needs someone able to write the data
// directory at that very moment, and it is accepted here; the check still
// stops every link that is in place before the open, which is the case of
// a link planted in a data directory.
//
// On Windows, os.Lstat reports symbolic links (IO_REPARSE_TAG_SYMLINK) as
// fs.ModeSymlink, and those are refused. Other reparse points are opened
// as before: directory junctions stand only for directories, and
// deduplicated or cloud files are, to a program, the regular files they
// look like.
func openFile(name string, flag int) (*os.File, error) {
	if isSymlink(name) {
		return nil, symlinkError(name)
	}
	return os.OpenFile(name, flag, filePerm)
}
