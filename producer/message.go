package producer

import (
	"time"

	"github.com/commitlog-go/commitlog/record"
)

// Message is a record on its way to a topic, as a producer takes it: the
// producer turns it into a record.Record, the form the batch format
// encodes, and a reader returns it as a consumer.Record, with the
// partition and offset it was stored at.
//
// To send again a record that was read (to another topic, say), copy its
// Key, Value, Headers and Time into a Message: the producer copies them
// into its batch before ProduceAsync returns, so the reader's buffers need
// no Clone.
type Message struct {
	// Topic names the topic to produce to.
	Topic string
	// Key is the record's key, which the default partitioner hashes to
	// choose the partition; nil for a message without a key.
	Key []byte
	// Value is the payload; nil is a tombstone.
	Value []byte
	// Headers are the record's headers, in order.
	Headers []record.Header
	// Time is the record's create time. Default: when it is produced.
	Time time.Time
	// Partition is the partition to produce to, for a partitioner that
	// reads it, as NewManualPartitioner's does. The default partitioner
	// ignores it and chooses by the key.
	Partition int32
}
