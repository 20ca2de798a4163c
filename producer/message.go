package producer

import (
	"time"

	"github.com/commitlog-go/commitlog/record"
)

// Message is a record on its way to a topic, as a producer takes it.
type Message struct {
	// Topic names the topic to produce to.
	Topic string
	// Key chooses the partition, through the producer's partitioner, when
	// the message names none; nil for a message without a key.
	Key []byte
	// Value is the payload; nil is a tombstone.
	Value []byte
	// Headers are the record's headers, in order.
	Headers []record.Header
	// Time is the record's create time. Default: when it is produced.
	Time time.Time
	// Partition is the partition to produce to when HasPartition is set;
	// an explicit partition always wins over the partitioner.
	Partition    int32
	HasPartition bool
}
