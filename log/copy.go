package log

import (
	"io"

	"github.com/commitlog-go/commitlog/vfs"
)

// copySection writes n bytes of f from off to w, with sendfile when f is an
// operating-system file and w a socket, otherwise through a buffer, and
// returns how many bytes it wrote and whether sendfile wrote them. Fewer
// than n is an error: one wrapping io.ErrUnexpectedEOF when the file ended
// first, as it does when a truncation shortens it under the copy.
func copySection(w io.Writer, f vfs.File, off, n int64) (written int64, bySendfile bool, err error) {
	if osf, ok := f.(vfs.OSFile); ok {
		if written, handled, err := sendfile(w, osf.OSFile(), off, n); handled {
			return written, true, err
		}
	}
	written, err = io.Copy(w, io.NewSectionReader(f, off, n))
	if err == nil && written < n {
		err = io.ErrUnexpectedEOF
	}
	return written, false, err
}
