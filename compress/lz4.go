package compress

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/pierrec/lz4/v4"
)

// lz4BlockSize is the largest block LZ4 writes. Kafka's Java client uses
// the same size, and it keeps each pooled encoder's buffers small.
const lz4BlockSize = lz4.Block64Kb

// lz4Writer is a pooled LZ4 frame encoder with the slice it appends to.
type lz4Writer struct {
	zw  *lz4.Writer
	out appendWriter
}

var lz4Writers = sync.Pool{
	New: func() any {
		w := new(lz4Writer)
		w.zw = lz4.NewWriter(&w.out)
		if err := w.zw.Apply(lz4.BlockSizeOption(lz4BlockSize)); err != nil {
			panic("compress: lz4: " + err.Error())
		}
		return w
	},
}

// lz4Reader is a pooled LZ4 frame decoder with the input it reads.
type lz4Reader struct {
	zr    *lz4.Reader
	src   bytes.Reader
	probe [probeSize]byte
}

var lz4Readers = sync.Pool{
	New: func() any {
		r := new(lz4Reader)
		r.zr = lz4.NewReader(&r.src)
		return r
	},
}

func appendLZ4(dst, src []byte) ([]byte, error) {
	w := lz4Writers.Get().(*lz4Writer)
	defer lz4Writers.Put(w)
	w.out.buf = dst
	w.zw.Reset(&w.out)
	_, err := w.zw.Write(src)
	if err == nil {
		err = w.zw.Close()
	}
	out := w.out.buf
	w.out.buf = nil
	if err != nil {
		return dst, fmt.Errorf("compress: lz4: %w", err)
	}
	return out, nil
}

func decodeLZ4(dst, src []byte, limit int) ([]byte, error) {
	r := lz4Readers.Get().(*lz4Reader)
	defer lz4Readers.Put(r)
	r.src.Reset(src)
	r.zr.Reset(&r.src)
	out, err := readLimited(dst, r.zr, limit, 0, r.probe[:])
	// Hand the frame's block buffer back and drop the reference to src.
	r.zr.Reset(nil)
	r.src.Reset(nil)
	return out, err
}
