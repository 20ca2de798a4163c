package segment

import "golang.org/x/sys/unix"

// populate maps the pages of data, a range of a file map, with one system
// call, rather than faulting them in as a copy reaches them: in a process
// that has not touched the map yet, a reader streaming a log pays one call
// per chunk instead of one fault per 64 KiB or so. Errors are ignored: it
// is only advice, and kernels before 5.14 do not know it.
func populate(data []byte) { _ = unix.Madvise(data, unix.MADV_POPULATE_READ) }
