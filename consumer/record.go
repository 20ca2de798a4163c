package consumer

import (
	"time"

	"github.com/commitlog-go/commitlog/record"
)

// Record is a record as a reader returns it: where it is stored and what
// it holds. A reader reuses one Record and its buffers: the *Record a
// call returns, and the byte slices in it, are valid until the reader's
// next call. Keep a record past that with Clone.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Time      time.Time
	Key       []byte
	Value     []byte
	Headers   []record.Header
}

// Clone returns a copy of r that the caller owns: its key, value and
// headers are copied out of the reader's buffers, into one allocation.
// A nil key or value stays nil.
func (r *Record) Clone() *Record {
	out := *r
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	buf := make([]byte, 0, n)
	take := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		start := len(buf)
		buf = append(buf, b...)
		return buf[start:len(buf):len(buf)]
	}
	out.Key = take(r.Key)
	out.Value = take(r.Value)
	if r.Headers != nil {
		out.Headers = make([]record.Header, len(r.Headers))
		for i, h := range r.Headers {
			out.Headers[i] = record.Header{Key: take(h.Key), Value: take(h.Value)}
		}
	}
	return &out
}
