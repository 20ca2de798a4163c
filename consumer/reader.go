package consumer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"time"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/topic"
)

// Position says where a reader starts.
type Position struct {
	kind      positionKind
	offset    int64
	time      time.Time
	group     string
	committed OffsetSource
	fallback  *Position
}

// OffsetSource is where a Committed position looks up a consumer group's
// committed offsets: an *offsets.Store, or a group coordinator's.
type OffsetSource interface {
	Committed(group, topic string, partition int32) (offsets.Committed, bool)
}

type positionKind uint8

const (
	atEarliest positionKind = iota
	atLatest
	atOffset
	atTime
	atCommitted
)

// Earliest starts at the first record the partition holds.
func Earliest() Position { return Position{kind: atEarliest} }

// Latest starts after the last committed record: the reader sees only
// records produced from now on.
func Latest() Position { return Position{kind: atLatest} }

// AtOffset starts at offset; a negative offset makes the reader fail with
// ErrInvalidOffset, one past the log end with an *OffsetOutOfRangeError.
// An offset below the log start goes on from the log start, unless
// Options.FailOnOutOfRange.
func AtOffset(offset int64) Position { return Position{kind: atOffset, offset: offset} }

// AtTime starts at the first record whose timestamp is at or after t, or
// after the last committed record if there is none.
func AtTime(t time.Time) Position { return Position{kind: atTime, time: t} }

// Committed starts at consumer group's offset committed in source, or at
// fallback (Earliest or Latest, say) in a partition where the group has
// committed none: Kafka's auto.offset.reset. A nil source has committed
// nothing.
func Committed(source OffsetSource, group string, fallback Position) Position {
	return Position{kind: atCommitted, group: group, committed: source, fallback: &fallback}
}

// String describes the position.
func (p Position) String() string {
	switch p.kind {
	case atEarliest:
		return "earliest"
	case atLatest:
		return "latest"
	case atOffset:
		return fmt.Sprintf("offset %d", p.offset)
	case atCommitted:
		return fmt.Sprintf("committed by %q, else %s", p.group, p.fallback)
	}
	return "time " + p.time.Format(time.RFC3339Nano)
}

// resolve returns the offset pos stands for in p, a partition of t.
func (pos Position) resolve(t *topic.Topic, p *partition.Partition) (int64, error) {
	switch pos.kind {
	case atCommitted:
		if pos.committed == nil {
			return pos.fallback.resolve(t, p)
		}
		if c, ok := pos.committed.Committed(pos.group, t.Name(), p.Index()); ok {
			return c.Offset, nil
		}
		return pos.fallback.resolve(t, p)
	case atEarliest:
		return p.LogStartOffset(), nil
	case atLatest:
		return p.HighWatermark(), nil
	case atOffset:
		if pos.offset < 0 {
			return 0, errorf(ErrInvalidOffset, "consumer: start offset %d is negative", pos.offset)
		}
		return pos.offset, nil
	}
	// A time before 1970 is before every record.
	listed, found, err := p.ListOffset(max(pos.time.UnixMilli(), 0))
	if err != nil {
		return 0, err
	}
	if !found {
		return p.HighWatermark(), nil
	}
	return listed.Offset, nil
}

// lagEvery is how many records a reader returns from a partition between
// two reports of its lag, when it does not catch up in between: the
// gauge costs a call per stretch of records, not one per record.
const lagEvery = 256

// partitionCursor reads one partition for a reader.
type partitionCursor struct {
	part  *partition.Partition
	r     *partition.Reader
	topic string
	rec   Record
	// strict makes an offset below the log start an error rather than a
	// jump to the log start.
	strict  bool
	logger  *slog.Logger
	metrics metrics.Collector
	labels  metrics.Labels
	// unreported counts the records returned since the lag was last
	// reported.
	unreported int
}

// newCursor returns a cursor of p at offset; opts have their defaults.
func newCursor(p *partition.Partition, offset int64, opts *Options) *partitionCursor {
	return &partitionCursor{
		part: p, r: p.NewReader(offset), topic: p.Topic(), strict: opts.FailOnOutOfRange,
		logger: opts.Logger, metrics: opts.Metrics,
		labels: metrics.Labels{Topic: p.Topic(), Partition: p.Index()},
	}
}

// next returns the next committed record, or nil with a nil error when
// there is none yet.
func (c *partitionCursor) next() (*Record, error) {
	for {
		if c.r.Next() {
			r := c.r.Record()
			c.rec = Record{
				Topic: c.topic, Partition: c.part.Index(), Offset: r.Offset,
				Time: time.UnixMilli(r.Timestamp), Key: r.Key, Value: r.Value, Headers: r.Headers,
			}
			if c.unreported++; c.unreported >= lagEvery {
				c.reportLag()
			}
			return &c.rec, nil
		}
		err := c.r.Err()
		if err == nil {
			if c.unreported > 0 {
				c.reportLag() // caught up
			}
			return nil, nil
		}
		var oor *partition.OffsetOutOfRangeError
		if from := c.r.Offset(); !c.strict && errors.As(err, &oor) && from < oor.LogStart {
			// Retention deleted records the reader had not read yet:
			// go on from the oldest one left, as Kafka's consumers
			// do with auto.offset.reset=earliest.
			c.logger.Warn("reader skipped records deleted by retention", "topic", c.topic, "partition", c.part.Index(),
				"offset", from, "log_start_offset", oor.LogStart, "skipped", oor.LogStart-from)
			c.r.SetOffset(oor.LogStart)
			continue
		}
		return nil, err
	}
}

// reportLag sets the ConsumerLag gauge: the committed records of the
// partition the reader has not returned yet.
func (c *partitionCursor) reportLag() {
	c.unreported = 0
	c.metrics.Set(metrics.ConsumerLag, c.labels, float64(max(c.part.HighWatermark()-c.r.Offset(), 0)))
}

// Options configure a reader. The zero value of every field means its
// default; the reader's constructor copies them.
type Options struct {
	// Start is where reading begins. Default Earliest.
	Start Position
	// FailOnOutOfRange makes a reader whose offset falls below the log
	// start, because retention deleted the records there, fail with an
	// *OffsetOutOfRangeError. Default false: it goes on from the log
	// start, and logs that it did.
	FailOnOutOfRange bool
	// Logger receives a Warn line each time the reader skips records
	// deleted before it read them: the topic and partition, the offset it
	// was at, the log start it goes on from, and how many it skipped.
	// Default nil: discard.
	Logger *slog.Logger
	// Metrics receives metrics.ConsumerLag, labelled with the topic and
	// the partition: the committed records of the partition the reader
	// has not returned. It is set after reads that returned records, once
	// every 256 records and whenever the reader catches up, not for every
	// record. Readers of one partition that share a collector share the
	// gauge; wrap it with metrics.With to tell them apart (a group's
	// members do, by group). Default nil: discard.
	Metrics metrics.Collector
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Metrics = metrics.OrDiscard(o.Metrics)
	return o
}

// PartitionReader reads one partition's committed records in order,
// waiting for new ones at the end. It is for one goroutine.
//
//	r, err := consumer.NewPartitionReader(t, 0, consumer.Options{Start: consumer.Earliest()})
//	for rec, err := range r.All(ctx) {
//		if err != nil { ... }
//		use(rec)
//	}
type PartitionReader struct {
	t *topic.Topic
	c *partitionCursor
}

// NewPartitionReader returns a reader of partition index of t from
// opts.Start.
func NewPartitionReader(t *topic.Topic, index int32, opts Options) (*PartitionReader, error) {
	opts = opts.withDefaults()
	p, err := t.Partition(index)
	if err != nil {
		return nil, err
	}
	offset, err := startOffset(t, p, opts.Start)
	if err != nil {
		return nil, err
	}
	return &PartitionReader{t: t, c: newCursor(p, offset, &opts)}, nil
}

// startOffset resolves pos on partition p of t, refusing an offset past
// the log end.
func startOffset(t *topic.Topic, p *partition.Partition, pos Position) (int64, error) {
	offset, err := pos.resolve(t, p)
	if err != nil {
		return 0, err
	}
	if end := p.LogEndOffset(); offset > end {
		return 0, &partition.Error{Topic: t.Name(), Partition: p.Index(), Op: "seek",
			Err: &log.OffsetOutOfRangeError{Offset: offset, LogStart: p.LogStartOffset(), LogEnd: end}}
	}
	return offset, nil
}

// Next returns the next committed record, waiting for one until ctx ends.
// The reader reuses the record: it is valid until the next call, and
// [Record.Clone] keeps it longer. Errors: ctx's (also when records are
// waiting), ErrClosed when the partition closes, and the partition's read
// errors.
func (r *PartitionReader) Next(ctx context.Context) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for {
		rec, err := r.c.next()
		if rec != nil || err != nil {
			return rec, err
		}
		if err := r.c.r.Wait(ctx); err != nil {
			return nil, err
		}
	}
}

// TryNext returns the next committed record, or nil and no error when the
// reader is at the high watermark. The record is reused as Next's is.
func (r *PartitionReader) TryNext() (*Record, error) { return r.c.next() }

// All iterates over the records from the reader's position, waiting for
// new ones, until ctx ends or reading fails; the last pair yielded then
// holds the error. Each record is valid until the loop's next iteration:
// append rec.Clone(), not rec, to keep it.
func (r *PartitionReader) All(ctx context.Context) iter.Seq2[*Record, error] {
	return allOf(ctx, r.Next)
}

// Offset is the offset of the next record the reader returns.
func (r *PartitionReader) Offset() int64 { return r.c.r.Offset() }

// Seek moves the reader to pos. A negative offset (ErrInvalidOffset) or
// one past the log end (*OffsetOutOfRangeError) leaves the reader where it
// was.
func (r *PartitionReader) Seek(pos Position) error {
	offset, err := startOffset(r.t, r.c.part, pos)
	if err != nil {
		return err
	}
	r.c.r.SetOffset(offset)
	return nil
}

// allOf turns a Next method into an iterator.
func allOf(ctx context.Context, next func(context.Context) (*Record, error)) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for {
			rec, err := next(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// readerStint is how many records a TopicReader returns from one
// partition before it looks at the next, so that a busy partition cannot
// starve the others.
const readerStint = 256

// TopicReader reads the committed records of every partition of a topic,
// those added while it reads included (from their start), as a subscriber
// does: every TopicReader sees every record. Records of one partition come
// in offset order; partitions are interleaved. It is for one goroutine.
type TopicReader struct {
	t       *topic.Topic
	opts    Options
	cursors []*partitionCursor
	current int // index of the cursor being read
	stint   int // records returned from it in a row
	started bool
}

// NewTopicReader returns a reader of every partition of t, each from
// opts.Start.
func NewTopicReader(t *topic.Topic, opts Options) (*TopicReader, error) {
	if t.Closed() {
		return nil, closedTopic(t)
	}
	r := &TopicReader{t: t, opts: opts.withDefaults()}
	if err := r.addPartitions(); err != nil {
		return nil, err
	}
	return r, nil
}

// addPartitions makes cursors for partitions the reader does not read yet.
// Partitions that appear after the reader began are read from their start,
// since all their records came later.
func (r *TopicReader) addPartitions() error {
	if r.started && int(r.t.NumPartitions()) == len(r.cursors) {
		return nil
	}
	parts := r.t.Partitions()
	for i := len(r.cursors); i < len(parts); i++ {
		pos := r.opts.Start
		if r.started {
			pos = Earliest()
		}
		offset, err := pos.resolve(r.t, parts[i])
		if err != nil {
			return err
		}
		r.cursors = append(r.cursors, newCursor(parts[i], offset, &r.opts))
	}
	r.started = true
	return nil
}

// Next returns the next committed record of any partition, waiting for
// one until ctx ends (an ended context stops it even when records are
// waiting). The reader reuses the record: it is valid until the next call,
// and [Record.Clone] keeps it longer.
func (r *TopicReader) Next(ctx context.Context) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for {
		// Take the channel before looking, so that an append in
		// between wakes this reader.
		changed := r.t.Changed()
		if r.t.Closed() {
			return nil, closedTopic(r.t)
		}
		if err := r.addPartitions(); err != nil {
			return nil, err
		}
		if rec, err := r.tryCursors(); rec != nil || err != nil {
			return rec, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TryNext returns the next committed record of any partition, or nil and
// no error when the reader has read every committed record. The record is
// reused as Next's is.
func (r *TopicReader) TryNext() (*Record, error) {
	if r.t.Closed() {
		return nil, closedTopic(r.t)
	}
	if err := r.addPartitions(); err != nil {
		return nil, err
	}
	return r.tryCursors()
}

// tryCursors returns the next record of the partition being read, moving
// on to the next partition when it has none or has had its stint, or nil
// when none has a record.
func (r *TopicReader) tryCursors() (*Record, error) {
	// One more try than there are partitions: the first may only move
	// on from a partition that had its stint.
	for range len(r.cursors) + 1 {
		if r.stint < readerStint {
			rec, err := r.cursors[r.current].next()
			if err != nil {
				return nil, err
			}
			if rec != nil {
				r.stint++
				return rec, nil
			}
		}
		r.current = (r.current + 1) % len(r.cursors)
		r.stint = 0
	}
	return nil, nil
}

// All iterates over the records of every partition, waiting for new ones,
// until ctx ends or reading fails; the last pair yielded then holds the
// error. Each record is valid until the loop's next iteration: append
// rec.Clone(), not rec, to keep it.
func (r *TopicReader) All(ctx context.Context) iter.Seq2[*Record, error] {
	return allOf(ctx, r.Next)
}

// Offsets returns, for each partition, the offset of the next record the
// reader returns from it.
func (r *TopicReader) Offsets() []int64 {
	out := make([]int64, len(r.cursors))
	for i, c := range r.cursors {
		out[i] = c.r.Offset()
	}
	return out
}
