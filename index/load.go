package index

import (
	"bytes"
	"io"
	"math"
	"sync"

	"github.com/commitlog-go/commitlog/vfs"
)

// maxFileSize bounds the files Open will read. Kafka sizes its index
// files with a Java int, so no index it writes is larger; a larger file
// is damage, and reading it would take that much memory.
const maxFileSize = math.MaxInt32

// readChunk is the most an Open reads in one call: a few calls for a
// full-sized index, and a buffer that is reused rather than one the size
// of the file, which would cost a page fault per 4 KiB every time.
const readChunk = 1 << 20

var chunks = sync.Pool{New: func() any { b := make([]byte, readChunk); return &b }}

// decodeFunc decodes the entries in b into es[first:], checking each
// against the one before it (es[first-1] for the first, if first > 0).
type decodeFunc[E any] func(path string, b []byte, base int64, es []E, first int) error

// readEntries reads and checks the entries of the file f, which has size
// bytes. It finds where the zero tail begins, reading back from the end,
// then allocates exactly the entries before it and decodes them reading
// forward, all through one buffer of at most readChunk bytes.
func readEntries[E any](f vfs.File, path string, size int64, entrySize int, base int64, decode decodeFunc[E]) ([]E, error) {
	if size%int64(entrySize) != 0 {
		return nil, corrupt(path, -1, "length %d is not a multiple of the %d-byte entry", size, entrySize)
	}
	if size > maxFileSize {
		return nil, corrupt(path, -1, "length %d is over the largest index size, %d", size, maxFileSize)
	}
	if size == 0 {
		return nil, nil
	}
	bp := chunks.Get().(*[]byte)
	defer chunks.Put(bp)
	buf := (*bp)[:readChunk-readChunk%entrySize]

	// Back from the end, a chunk at a time, to the last non-zero byte.
	used := size
	var last []byte // the chunk read last, if it starts at 0
	for used > 0 {
		start := max(0, used-int64(len(buf)))
		b := buf[:used-start]
		if err := readFull(f, path, b, start); err != nil {
			return nil, err
		}
		if k := lastNonZero(b); k >= 0 {
			used = start + int64(k) + 1
			if start == 0 {
				last = b
			}
			break
		}
		used = start
	}
	n := int((used + int64(entrySize) - 1) / int64(entrySize))
	if n == 0 {
		return nil, nil
	}

	es := make([]E, n)
	if last != nil {
		// The whole of the entries is in the buffer already.
		return es, decode(path, last[:n*entrySize], base, es, 0)
	}
	per := len(buf) / entrySize
	for i := 0; i < n; i += per {
		b := buf[:min(per, n-i)*entrySize]
		if err := readFull(f, path, b, int64(i)*int64(entrySize)); err != nil {
			return nil, err
		}
		if err := decode(path, b, base, es, i); err != nil {
			return nil, err
		}
	}
	return es, nil
}

// readFull fills b from the file at off.
func readFull(f vfs.File, path string, b []byte, off int64) error {
	n, err := f.ReadAt(b, off)
	if n == len(b) && (err == nil || err == io.EOF) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF // the file shrank under us
	}
	return ioError("reading", path, err)
}

// zeros is compared against to skip zero bytes a block at a time.
var zeros [4096]byte

// lastNonZero returns the index of the last non-zero byte of b, or -1.
func lastNonZero(b []byte) int {
	end := len(b)
	for end > 0 {
		start := max(0, end-len(zeros))
		block := b[start:end]
		if !bytes.Equal(block, zeros[:len(block)]) {
			i := len(block) - 1
			for block[i] == 0 {
				i--
			}
			return start + i
		}
		end = start
	}
	return -1
}
