package topic

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// Partitioner chooses the partition of a message that names none. A
// producer calls it from many goroutines at once, with the topic's current
// partition count; the result must lie in [0, numPartitions).
type Partitioner interface {
	Partition(m Message, numPartitions int) int
}

// PartitionerFunc makes a function a Partitioner.
type PartitionerFunc func(m Message, numPartitions int) int

// Partition calls f.
func (f PartitionerFunc) Partition(m Message, numPartitions int) int { return f(m, numPartitions) }

// DefaultStickyBytes is how many bytes of keyless messages the default
// partitioner sends to one partition before it moves on: 16 KiB, Kafka's
// default batch.size, as the Java client's built-in partitioner does.
const DefaultStickyBytes = 16 << 10

// NewDefaultPartitioner returns Kafka's default partitioning: a keyed
// message goes to KeyPartition(key), so a key lands where Kafka's Java
// client would put it; messages without a key stick to one partition,
// chosen at random, for DefaultStickyBytes of values, then move
// to another chosen at random, so that they make large batches while
// spreading evenly over time. Each topic has its own sticky partition.
func NewDefaultPartitioner() Partitioner { return NewStickyPartitioner(DefaultStickyBytes) }

// NewStickyPartitioner is NewDefaultPartitioner moving keyless messages on
// after stickyBytes instead of DefaultStickyBytes.
func NewStickyPartitioner(stickyBytes int) Partitioner {
	return &stickyPartitioner{stickyBytes: int64(max(stickyBytes, 1))}
}

type stickyPartitioner struct {
	stickyBytes int64
	topics      sync.Map // topic name -> *stickyState
}

// stickyState is one topic's sticky choice: the partition (in the low 32
// bits) and the bytes sent to it (in the high 32), in one word so that a
// switch is a single compare-and-swap.
type stickyState struct{ word atomic.Uint64 }

func (p *stickyPartitioner) Partition(m Message, n int) int {
	if m.Key != nil {
		return KeyPartition(m.Key, n)
	}
	v, ok := p.topics.Load(m.Topic)
	if !ok {
		st := &stickyState{}
		st.word.Store(uint64(rand.IntN(n)))
		v, _ = p.topics.LoadOrStore(m.Topic, st)
	}
	st := v.(*stickyState)
	size := uint64(len(m.Value))
	for {
		old := st.word.Load()
		part, sent := int(uint32(old)), old>>32
		if part < n && sent < uint64(p.stickyBytes) {
			if st.word.CompareAndSwap(old, (sent+size)<<32|uint64(part)) {
				return part
			}
			continue
		}
		// Move on: to any other partition, or to a valid one if the
		// topic shrank from under a stale choice.
		next := rand.IntN(n)
		if n > 1 && next == part {
			next = (next + 1 + rand.IntN(n-1)) % n
		}
		if st.word.CompareAndSwap(old, size<<32|uint64(next)) {
			return next
		}
	}
}

// NewRoundRobinPartitioner returns a partitioner that ignores keys and
// sends each topic's messages to its partitions in turn.
func NewRoundRobinPartitioner() Partitioner { return &roundRobinPartitioner{} }

type roundRobinPartitioner struct {
	topics sync.Map // topic name -> *atomic.Uint64
}

func (p *roundRobinPartitioner) Partition(m Message, n int) int {
	v, ok := p.topics.Load(m.Topic)
	if !ok {
		v, _ = p.topics.LoadOrStore(m.Topic, new(atomic.Uint64))
	}
	return int((v.(*atomic.Uint64).Add(1) - 1) % uint64(n))
}
