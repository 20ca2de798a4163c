package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// Every record value starts with its sequence number, big-endian in 8
// bytes, so that each read can be checked at the cost of one compare:
// a store that returned the wrong record would fail the run instead of
// winning it.
//
//	+---------+--------------------------+
//	| seq (8) | filler (size - 8)        |
//	+---------+--------------------------+
const seqBytes = 8

// values makes record values of one size: the filler of the 100-byte
// records is random bytes (incompressible, like most payloads that reach
// a log already encoded), that of the 1 KiB records used with compression
// is text that compresses about as well as JSON events do.
type values struct {
	size    int
	fillers [][]byte
}

func newValues(size int, text bool) *values {
	rng := rand.New(rand.NewPCG(1, 2))
	v := &values{size: size}
	for range 256 {
		f := make([]byte, size-seqBytes)
		if text {
			fillText(rng, f)
		} else {
			for i := range f {
				f[i] = byte(rng.Uint32())
			}
		}
		v.fillers = append(v.fillers, f)
	}
	return v
}

// words are what the text filler is made of.
var words = []string{
	`"user_id":`, `"event":"click"`, `"event":"view"`, `"path":"/products/`,
	`"ts":`, `"session":"`, `"region":"eu-west-1"`, `"region":"us-east-2"`,
	`"status":200`, `"status":404`, `"latency_ms":`, `"agent":"Mozilla/5.0"`,
	`,`, `{`, `}`, `"ok":true`, `"referrer":"https://example.com/`,
}

func fillText(rng *rand.Rand, f []byte) {
	for i := 0; i < len(f); {
		var w string
		if rng.IntN(3) == 0 {
			w = fmt.Sprint(rng.IntN(100000))
		} else {
			w = words[rng.IntN(len(words))]
		}
		i += copy(f[i:], w)
	}
}

// fill writes the value of record seq into dst, which has room for it,
// and returns it.
func (v *values) fill(dst []byte, seq int64) []byte {
	dst = dst[:v.size]
	binary.BigEndian.PutUint64(dst, uint64(seq))
	copy(dst[seqBytes:], v.fillers[seq%int64(len(v.fillers))])
	return dst
}

// check reports whether value is record seq's.
func (v *values) check(value []byte, seq int64) error {
	if len(value) != v.size {
		return fmt.Errorf("record %d: %d bytes, want %d", seq, len(value), v.size)
	}
	if got := int64(binary.BigEndian.Uint64(value)); got != seq {
		return fmt.Errorf("read record %d, got record %d", seq, got)
	}
	return nil
}

// batchMaker hands out batches of consecutive records, reusing its
// memory: each batch is valid until the next.
type batchMaker struct {
	v     *values
	next  int64
	buf   []byte
	batch [][]byte
}

func newBatchMaker(v *values, batchLen int) *batchMaker {
	return &batchMaker{v: v, buf: make([]byte, v.size*batchLen), batch: make([][]byte, batchLen)}
}

// make returns the next n records (n at most the batch length).
func (m *batchMaker) make(n int) [][]byte {
	for i := range n {
		m.batch[i] = m.v.fill(m.buf[i*m.v.size:], m.next)
		m.next++
	}
	return m.batch[:n]
}
