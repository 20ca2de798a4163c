package compress

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// gzipLevel is the level Gzip compresses at. On record batches the fastest
// level comes within a few percent of the default level's size in about
// half the time; a caller who wants smaller batches does better with Zstd.
const gzipLevel = gzip.BestSpeed

// maxDeflateRatio bounds how far deflate can expand its input: a match of
// 258 bytes costs at least a quarter of a byte, so no stream decodes to more
// than about 1032 times its own size. Only the size hint relies on it.
const maxDeflateRatio = 1032

// gzipWriter is a pooled gzip encoder with the slice it appends to.
type gzipWriter struct {
	zw  *gzip.Writer
	out appendWriter
}

var gzipWriters = sync.Pool{
	New: func() any {
		w := new(gzipWriter)
		zw, err := gzip.NewWriterLevel(&w.out, gzipLevel)
		if err != nil {
			panic("compress: gzip: " + err.Error())
		}
		w.zw = zw
		return w
	},
}

// gzipReader is a pooled gzip decoder with the input it reads.
type gzipReader struct {
	zr    gzip.Reader
	src   bytes.Reader
	probe [probeSize]byte
}

var gzipReaders = sync.Pool{New: func() any { return new(gzipReader) }}

func appendGzip(dst, src []byte) ([]byte, error) {
	w := gzipWriters.Get().(*gzipWriter)
	defer gzipWriters.Put(w)
	w.out.buf = dst
	w.zw.Reset(&w.out)
	// A zero ModTime would be written as the low bits of a negative Unix
	// time; the epoch is written as 0, which RFC 1952 reads as "no time".
	w.zw.ModTime = time.Unix(0, 0)
	_, err := w.zw.Write(src)
	if err == nil {
		err = w.zw.Close()
	}
	out := w.out.buf
	w.out.buf = nil
	if err != nil {
		return dst, fmt.Errorf("compress: gzip: %w", err)
	}
	return out, nil
}

func decodeGzip(dst, src []byte, limit int) ([]byte, error) {
	r := gzipReaders.Get().(*gzipReader)
	defer gzipReaders.Put(r)
	defer r.src.Reset(nil)
	r.src.Reset(src)
	if err := r.zr.Reset(&r.src); err != nil {
		return dst, corrupt(err)
	}
	return readLimited(dst, &r.zr, limit, gzipSizeHint(src), r.probe[:])
}

// gzipSizeHint guesses the decompressed size of src from the trailer of its
// last member, which holds that member's size modulo 2^32.
func gzipSizeHint(src []byte) int {
	const minMember = 18 // a 10-byte header and an 8-byte trailer
	if len(src) < minMember {
		return 0
	}
	size := binary.LittleEndian.Uint32(src[len(src)-4:])
	return int(min(uint64(size), uint64(len(src))*maxDeflateRatio))
}
