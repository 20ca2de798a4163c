package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
)

func init() {
	register(storeKind{
		name:       ours,
		version:    "this tree",
		open:       openCommitlog,
		compresses: true,
		notes:      "Kafka's RecordBatch v2: a CRC-32C per batch, checked on append, on every read and by recovery; offset and time indexes; a topic registry above",
	})
}

// commitlogStore is a topic of one partition in a registry of its own.
// Batches go in through the partition's AppendRecords, which builds a
// RecordBatch v2 (CRC-32C, varint records, compression); durable single
// records through a producer, whose group commit shares one fsync among
// every record waiting; reads through a partition reader, which checks
// each batch's CRC.
type commitlogStore struct {
	reg    *topic.Registry
	part   *partition.Partition
	prod   *producer.Producer
	reader *partition.Reader
	recs   []record.Record
}

func openCommitlog(dir string, o storeOptions) (store, error) {
	reg, err := topic.Open(dir, topic.Options{RetentionCheckInterval: -1})
	if err != nil {
		return nil, err
	}
	s := &commitlogStore{reg: reg}
	if err := s.openTopic(o); err != nil {
		reg.Close()
		return nil, err
	}
	return s, nil
}

func (s *commitlogStore) openTopic(o storeOptions) error {
	tp, err := s.reg.Topic("bench")
	if err != nil {
		cfg := topic.Config{RetentionAge: -1, Flush: topic.FlushNever}
		if o.syncEachAppend {
			cfg.Flush = topic.FlushAlways
		}
		switch o.codec {
		case "":
		case "lz4":
			cfg.Compression = compress.LZ4
		case "zstd":
			cfg.Compression = compress.Zstd
		default:
			return fmt.Errorf("commitlog: no codec %q", o.codec)
		}
		if tp, err = s.reg.Create(context.Background(), "bench", cfg); err != nil {
			return err
		}
	}
	if s.part, err = tp.Partition(0); err != nil {
		return err
	}
	s.reader = s.part.NewReader(0)
	// A producer starts no goroutine until it is used.
	s.prod, err = producer.New(s.reg, producer.Options{Partitioner: producer.NewManualPartitioner()})
	return err
}

func (s *commitlogStore) appendBatch(values [][]byte) error {
	now := time.Now().UnixMilli()
	s.recs = s.recs[:0]
	for _, v := range values {
		s.recs = append(s.recs, record.Record{Timestamp: now, Value: v})
	}
	_, err := s.part.AppendRecords(s.recs...)
	return err
}

func (s *commitlogStore) sync() error { return s.part.Sync(context.Background()) }

func (s *commitlogStore) appendDurable(value []byte) error {
	_, err := s.prod.Produce(context.Background(), producer.Message{Topic: "bench", Value: value})
	return err
}

func (s *commitlogStore) scan(fn func(seq int64, value []byte) error) error {
	r := s.part.NewReader(0)
	for r.Next() {
		rec := r.Record()
		if err := fn(rec.Offset, rec.Value); err != nil {
			return err
		}
	}
	return r.Err()
}

func (s *commitlogStore) read(dst []byte, seq int64) ([]byte, error) {
	s.reader.SetOffset(seq)
	if !s.reader.Next() {
		if err := s.reader.Err(); err != nil {
			return dst, err
		}
		return dst, fmt.Errorf("commitlog: no record %d", seq)
	}
	return append(dst, s.reader.Record().Value...), nil
}

func (s *commitlogStore) close() error {
	s.prod.Close()
	return s.reg.Close()
}

// openCommitlogPartitions opens a registry holding one topic of n
// partitions, creating it and producing partitionRecords records to each
// partition first if fill is set.
func openCommitlogPartitions(dir string, n int, v *values, fill bool) (io.Closer, error) {
	reg, err := topic.Open(dir, topic.Options{RetentionCheckInterval: -1})
	if err != nil {
		return nil, err
	}
	if !fill {
		if _, err := reg.Topic("bench"); err != nil {
			reg.Close()
			return nil, err
		}
		return reg, nil
	}
	tp, err := reg.Create(context.Background(), "bench", topic.Config{Partitions: int32(n), RetentionAge: -1})
	if err != nil {
		reg.Close()
		return nil, err
	}
	m := newBatchMaker(v, partitionRecords)
	recs := make([]record.Record, partitionRecords)
	for i := range int32(n) {
		p, err := tp.Partition(i)
		if err != nil {
			reg.Close()
			return nil, err
		}
		m.next = 0
		for j, value := range m.make(partitionRecords) {
			recs[j] = record.Record{Timestamp: time.Now().UnixMilli(), Value: value}
		}
		if _, err := p.AppendRecords(recs...); err != nil {
			reg.Close()
			return nil, err
		}
	}
	return reg, nil
}
