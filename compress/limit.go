package compress

import "io"

const (
	// probeSize is how much readLimited asks for when dst is full: enough
	// to tell a stream that has ended from one that goes on without first
	// growing dst.
	probeSize = 512

	// minGrow is the least capacity readLimited adds when dst is full.
	minGrow = 4 << 10

	// maxEmptyReads is how many reads in a row may return nothing before
	// readLimited gives up on a reader that makes no progress.
	maxEmptyReads = 100
)

// readLimited reads r to its end and appends what it yields to dst. It reads
// at most limit+1 bytes: once more than limit bytes have arrived it fails
// with an error wrapping ErrTooLarge. Any read error other than io.EOF is
// reported as corrupt input.
//
// dst grows only when it is full and r has more to give, first to about
// hint bytes of output (the caller's guess of the decompressed size, or 0),
// then by doubling, and never beyond limit bytes of output, so a lying hint
// or an endless stream costs at most limit bytes. probe is a scratch buffer
// of probeSize bytes that outlives the call, so that reading into it does
// not make the call allocate.
func readLimited(dst []byte, r io.Reader, limit, hint int, probe []byte) ([]byte, error) {
	start := len(dst)
	for empty := 0; ; {
		produced := len(dst) - start
		left := limit - produced
		var (
			n   int
			err error
		)
		if room := cap(dst) - len(dst); room > 0 {
			if room > left {
				// One byte past the limit is all it takes to know
				// the output is too large.
				room = left + 1
			}
			n, err = r.Read(dst[len(dst) : len(dst)+room])
			dst = dst[:len(dst)+n]
			if n > left {
				return dst, tooLarge(limit)
			}
		} else {
			p := probe
			if left < len(p) {
				p = p[:left+1]
			}
			n, err = r.Read(p)
			if n > 0 {
				if n > left {
					return dst, tooLarge(limit)
				}
				want := max(produced, minGrow, hint-produced, n)
				dst = append(grow(dst, min(want, left)), p[:n]...)
			}
		}
		switch {
		case err == io.EOF:
			return dst, nil
		case err != nil:
			return dst, corrupt(err)
		case n > 0:
			empty = 0
		default:
			empty++
			if empty == maxEmptyReads {
				return dst, corrupt(io.ErrNoProgress)
			}
		}
	}
}

// grow returns dst with room for at least n more bytes, reallocating it to
// exactly that size if it has less.
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	grown := make([]byte, len(dst), len(dst)+n)
	copy(grown, dst)
	return grown
}

// appendWriter is an io.Writer that appends what it is given to buf.
type appendWriter struct {
	buf []byte
}

func (w *appendWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}
