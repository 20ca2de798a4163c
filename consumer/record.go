package consumer

import (
	"time"

	"github.com/commitlog-go/commitlog/record"
)

// Record is a record as a reader returns it: where it is stored and what
// it holds. It is what a producer.Message became once stored, with the
// partition and offset it got, decoded from the record.Record inside a
// batch that the reader read.
//
// A reader reuses one Record and its buffers: the *Record a call returns,
// and the byte slices in it, are valid until the reader's next call. Keep
// a record past that with Clone.
type Record struct {
	// Topic and Partition say where the record is stored.
	Topic     string
	Partition int32
	// Offset is the record's position in its partition.
	Offset int64
	// Time is the record's timestamp: its create time, or its append time
	// on a topic whose TimestampType is LogAppendTime.
	Time time.Time
	// Key is nil for a record without a key.
	Key []byte
	// Value is nil for a tombstone.
	Value []byte
	// Headers are the record's headers, in order.
	Headers []record.Header
}

// Clone returns a copy of r that the caller owns: its key, value and
// headers are copied out of the reader's buffers, into one allocation.
// A nil key or value stays nil.
func (r *Record) Clone() *Record {
	out := *r
	out.Key, out.Value, out.Headers = record.CloneFields(r.Key, r.Value, r.Headers)
	return &out
}
