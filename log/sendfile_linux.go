package log

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sendfile copies n bytes of src from off to dst with sendfile(2), which
// moves them inside the kernel, and returns how many it moved. It reports
// false, having done nothing, when dst is not a connection with a
// descriptor. The file offset is passed explicitly, so concurrent readers
// of src do not disturb each other. A file that ends before the section
// does is io.ErrUnexpectedEOF.
func sendfile(dst io.Writer, src *os.File, off, n int64) (written int64, handled bool, err error) {
	conn, ok := dst.(syscall.Conn)
	if !ok {
		return 0, false, nil
	}
	out, err := conn.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	in, err := src.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	var sendErr error
	ctlErr := in.Control(func(infd uintptr) {
		writeErr := out.Write(func(outfd uintptr) bool {
			for written < n {
				m, err := unix.Sendfile(int(outfd), int(infd), &off, int(min(n-written, 1<<30)))
				if m > 0 {
					written += int64(m)
				}
				switch {
				case errors.Is(err, unix.EAGAIN):
					return false // wait until the socket can take more
				case errors.Is(err, unix.EINTR):
				case err != nil:
					sendErr = err
					return true
				case m == 0:
					sendErr = io.ErrUnexpectedEOF // the file is shorter than the section
					return true
				}
			}
			return true
		})
		if sendErr == nil {
			sendErr = writeErr
		}
	})
	if ctlErr != nil {
		return written, true, ctlErr
	}
	return written, true, sendErr
}
