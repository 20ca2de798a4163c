package topic

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/partition"
)

// Topic is a named set of partitions in a registry. It is safe for use by
// many goroutines.
type Topic struct {
	reg  *Registry
	name string
	id   ID
	// cfg is the configuration, replaced by AlterConfig; its Partitions
	// is the count when it was stored, NumPartitions the current one.
	cfg atomic.Pointer[Config]

	// mu guards growing the partition list; readers load parts.
	mu    sync.Mutex
	parts atomic.Pointer[[]*partition.Partition]
	// changes is woken when any partition's high watermark moves, when
	// partitions are added, and when the topic closes.
	changes notify.Notifier
	closed  atomic.Bool
}

func newTopic(r *Registry, name string, id ID, cfg Config) *Topic {
	t := &Topic{reg: r, name: name, id: id}
	t.cfg.Store(&cfg)
	t.parts.Store(&[]*partition.Partition{})
	return t
}

// openPartitions opens (creating if needed) partitions [from, to) and
// appends them to the topic's list. It checks ctx before opening each;
// if any fails to open, or ctx ends, it closes those it opened and
// returns the first error.
func (t *Topic) openPartitions(ctx context.Context, from, to int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	opened := make([]*partition.Partition, to-from)
	errs := inParallel(to-from, func(i int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := partition.Open(partitionDir(t.reg.root, t.name, from+i), t.reg.partitionOptions(t, from+i))
		opened[i] = p
		return err
	})
	if err := firstError(errs); err != nil {
		for _, p := range opened {
			if p != nil {
				p.Close()
			}
		}
		// A partition's error names the topic and the partition.
		return err
	}
	parts := append(slices.Clone(*t.parts.Load()), opened...)
	t.parts.Store(&parts)
	return nil
}

// shrinkTo drops the partitions from n on from the list and returns them.
func (t *Topic) shrinkTo(n int) []*partition.Partition {
	t.mu.Lock()
	defer t.mu.Unlock()
	parts := *t.parts.Load()
	kept := slices.Clone(parts[:n])
	t.parts.Store(&kept)
	return parts[n:]
}

// close closes every partition and wakes the topic's waiters.
func (t *Topic) close() error {
	t.closed.Store(true)
	parts := *t.parts.Load()
	errs := inParallel(len(parts), func(i int) error { return parts[i].Close() })
	t.changes.Broadcast()
	return errors.Join(errs...)
}

// Name is the topic's name.
func (t *Topic) Name() string { return t.name }

// ID is the topic's ID, given by Create and never changed; the zero ID if
// its metadata was written before topics had IDs and the registry is
// read-only (see ID).
func (t *Topic) ID() ID { return t.id }

// Config is the topic's configuration, with its current partition count:
// as created, or as AlterConfig last changed it.
func (t *Topic) Config() Config {
	c := *t.cfg.Load()
	c.Partitions = t.NumPartitions()
	return c
}

// NumPartitions is the topic's current number of partitions.
func (t *Topic) NumPartitions() int32 { return int32(len(*t.parts.Load())) }

// Partitions returns the topic's partitions, in order.
func (t *Topic) Partitions() []*partition.Partition { return slices.Clone(*t.parts.Load()) }

// Partition returns partition index, or an error wrapping
// ErrUnknownPartition.
func (t *Topic) Partition(index int32) (*partition.Partition, error) {
	if t.closed.Load() {
		return nil, errorf(ErrClosed, "topic: %q is closed", t.name)
	}
	parts := *t.parts.Load()
	if index < 0 || int(index) >= len(parts) {
		return nil, errorf(ErrUnknownPartition, "topic: %q has no partition %d (it has %d)", t.name, index, len(parts))
	}
	return parts[index], nil
}

// Changed returns a channel that is closed at the next change a reader of
// the topic waits for: a move of any partition's high watermark, new
// partitions, or the topic's closing. Take the channel before looking at
// the partitions, so that a change in between is not missed.
func (t *Topic) Changed() <-chan struct{} { return t.changes.Wait() }

// Closed reports whether the topic was closed, by its deletion or the
// registry's Close.
func (t *Topic) Closed() bool { return t.closed.Load() }

// Description describes a topic and the state of its partitions.
type Description struct {
	Name string
	// ID is the topic's ID (see Topic.ID).
	ID         ID
	Config     Config
	Partitions []PartitionDescription
}

// PartitionDescription describes one partition of a topic.
type PartitionDescription struct {
	Index int32
	Dir   string
	// LogStartOffset, HighWatermark and LogEndOffset are the partition's
	// offsets: the first it holds, the end of what is committed, and the
	// next it will assign.
	LogStartOffset, HighWatermark, LogEndOffset int64
	// Size is the partition's size in bytes, Segments its segment count.
	Size     int64
	Segments int
}

// Describe describes the topic: its ID, its configuration and, for each
// partition, its offsets and size.
func (t *Topic) Describe() Description {
	d := Description{Name: t.name, ID: t.id, Config: t.Config()}
	for _, p := range *t.parts.Load() {
		d.Partitions = append(d.Partitions, PartitionDescription{
			Index: p.Index(), Dir: p.Dir(),
			LogStartOffset: p.LogStartOffset(), HighWatermark: p.HighWatermark(), LogEndOffset: p.LogEndOffset(),
			Size: p.Size(), Segments: p.NumSegments(),
		})
	}
	return d
}
