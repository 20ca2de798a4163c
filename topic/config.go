package topic

import (
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
)

// Config configures a topic. The zero value of every field means its
// default, Kafka's where Kafka has one, so Config{} is a valid topic of one
// partition. Config is stored with the topic and applies to each of its
// partitions.
type Config struct {
	// Partitions is the number of partitions. Default 1.
	Partitions int32
	// SegmentBytes is the size at which a partition's active segment is
	// rolled (segment.bytes). Default 1 GiB, at most 2 GiB.
	SegmentBytes int64
	// SegmentIndexBytes is the size of each index file of the active
	// segment, preallocated; a full index rolls the segment
	// (segment.index.bytes). Default 10 MiB.
	SegmentIndexBytes int
	// SegmentAge rolls the active segment once its records span this much
	// time (segment.ms). Default 7 days.
	SegmentAge time.Duration
	// SegmentJitter shortens SegmentAge for each new segment by a random
	// duration below it, so that partitions created together do not all
	// roll at once (segment.jitter.ms). Default 0.
	SegmentJitter time.Duration
	// RetentionAge deletes segments whose records are all older than this
	// (retention.ms). Default 7 days; negative keeps records forever.
	RetentionAge time.Duration
	// RetentionBytes deletes a partition's oldest segments while it would
	// still hold this many bytes without them (retention.bytes).
	// Default: no limit.
	RetentionBytes int64
	// Compression is the codec producers compress batches with
	// (compression.type). Default none.
	Compression compress.Codec
	// Flush is when partitions fsync appended records. FlushAlways also
	// makes acknowledgements durable: a produce returns only once its
	// record is on stable storage, and readers see only such records.
	// Default FlushNever, Kafka's choice: durability comes from the page
	// cache and, when it lands, replication. Whatever the policy, closing
	// the registry fsyncs every partition.
	Flush FlushPolicy
	// FlushRecords is the record count of FlushEveryN (flush.messages).
	// Default 10,000.
	FlushRecords int64
	// FlushInterval is the period of the FlushInterval policy
	// (flush.ms). Default 1 second.
	FlushInterval time.Duration
	// MaxMessageBytes is the largest batch a partition accepts, log
	// overhead included (max.message.bytes). A producer never builds a
	// larger one, and refuses a record that alone would be larger.
	// Default 1 MiB + 12 bytes, or SegmentBytes if that is smaller.
	MaxMessageBytes int
	// TimestampType LogAppendTime makes partitions stamp records with the
	// time they are appended (message.timestamp.type). Default
	// CreateTime: the producer's times.
	TimestampType record.TimestampType
}

// Defaults of Config.
const (
	DefaultPartitions        = 1
	DefaultSegmentIndexBytes = 10 << 20
)

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Partitions == 0 {
		c.Partitions = DefaultPartitions
	}
	if c.SegmentBytes == 0 {
		c.SegmentBytes = log.DefaultSegmentBytes
	}
	if c.SegmentIndexBytes == 0 {
		c.SegmentIndexBytes = DefaultSegmentIndexBytes
	}
	if c.SegmentAge == 0 {
		c.SegmentAge = log.DefaultSegmentAge
	}
	if c.RetentionAge == 0 {
		c.RetentionAge = log.DefaultRetentionAge
	}
	if c.FlushRecords == 0 {
		c.FlushRecords = log.DefaultFlushRecords
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = log.DefaultFlushInterval
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = int(min(log.DefaultMaxBatchBytes, c.SegmentBytes))
	}
	return c
}

// maxPartitions bounds the partitions of one topic, so that a typo
// cannot create millions of directories.
const maxPartitions = 1 << 16

// validate checks a defaulted config.
func (c Config) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Partitions < 1 || c.Partitions > maxPartitions:
		return bad("partitions %d not in [1, %d]", c.Partitions, maxPartitions)
	case c.SegmentBytes < 1<<10 || c.SegmentBytes > 1<<31-1:
		return bad("segment bytes %d not in [1 KiB, 2 GiB)", c.SegmentBytes)
	case c.SegmentIndexBytes < 4<<10 || c.SegmentIndexBytes > 1<<30:
		return bad("segment index bytes %d not in [4 KiB, 1 GiB]", c.SegmentIndexBytes)
	case c.SegmentAge < 0:
		return bad("negative segment age %v", c.SegmentAge)
	case c.SegmentJitter < 0:
		return bad("negative segment jitter %v", c.SegmentJitter)
	case !c.Compression.Valid():
		return bad("unknown compression %v", c.Compression)
	case c.Flush < log.FlushNever || c.Flush > log.FlushAlways:
		return bad("unknown flush policy %d", c.Flush)
	case c.FlushRecords < 0 || c.FlushInterval < 0:
		return bad("negative flush records or interval")
	case c.MaxMessageBytes < record.HeaderSize || int64(c.MaxMessageBytes) > c.SegmentBytes:
		return bad("max message bytes %d not in [%d, segment bytes %d]", c.MaxMessageBytes, record.HeaderSize, c.SegmentBytes)
	case c.TimestampType != record.CreateTime && c.TimestampType != record.LogAppendTime:
		return bad("unknown timestamp type %d", c.TimestampType)
	}
	return nil
}

// logOptions are the options of one partition's log under c.
func (c Config) logOptions() log.Options {
	return log.Options{
		SegmentBytes:   c.SegmentBytes,
		SegmentAge:     c.SegmentAge,
		SegmentJitter:  c.SegmentJitter,
		MaxIndexBytes:  c.SegmentIndexBytes,
		RetentionAge:   c.RetentionAge,
		RetentionBytes: c.RetentionBytes,
		Flush:          c.Flush,
		FlushRecords:   c.FlushRecords,
		FlushInterval:  c.FlushInterval,
		MaxBatchBytes:  c.MaxMessageBytes,
		Codec:          c.Compression,
		TimestampType:  c.TimestampType,
	}
}

// FlushPolicy is the log's flush policy (log.FlushPolicy), re-exported so
// that a topic's Config can be written without importing package log.
type FlushPolicy = log.FlushPolicy

// The flush policies (see log.FlushPolicy).
const (
	// FlushNever leaves appended records to the page cache, as Kafka
	// does by default; closing the registry fsyncs every partition.
	FlushNever = log.FlushNever
	// FlushEveryN fsyncs every Config.FlushRecords records.
	FlushEveryN = log.FlushEveryN
	// FlushInterval fsyncs every Config.FlushInterval.
	FlushInterval = log.FlushInterval
	// FlushAlways fsyncs before an append is acknowledged: a topic with
	// it is durable.
	FlushAlways = log.FlushAlways
)
