package log

import (
	"io"

	"github.com/commitlog-go/commitlog/vfs"
)

// copySection writes n bytes of f from off to w, with sendfile when f is an
// operating-system file and w a socket, otherwise through a buffer.
func copySection(w io.Writer, f vfs.File, off, n int64) error {
	if osf, ok := f.(vfs.OSFile); ok {
		if done, err := sendfile(w, osf.OSFile(), off, n); done || err != nil {
			return err
		}
	}
	_, err := io.Copy(w, io.NewSectionReader(f, off, n))
	return err
}
