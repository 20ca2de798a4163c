package producer

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// Partitioner chooses the partition of each message. The producer calls it
// from many goroutines at once, with the topic's partition count at that
// moment, which may grow between calls. A result outside [0,
// numPartitions) fails the message with ErrUnknownPartition.
//
// The message is passed by value, so that a producer's message does not
// escape to the heap through the interface call.
type Partitioner interface {
	Partition(m Message, numPartitions int32) int32
}

// PartitionerFunc adapts a function to the Partitioner interface.
type PartitionerFunc func(m Message, numPartitions int32) int32

// Partition returns f(m, numPartitions).
func (f PartitionerFunc) Partition(m Message, numPartitions int32) int32 { return f(m, numPartitions) }

// DefaultStickyBytes is how many bytes of keys and values of messages
// without a key the default partitioner sends to one partition before it
// moves to another: 16 KiB, the default batch.size of Kafka's Java client,
// whose built-in partitioner switches after a batch's worth too.
const DefaultStickyBytes = 16 << 10

// maxStickyBytes bounds the sticky size so that the bytes sent to the
// current partition fit in the 32 bits the state gives them.
const maxStickyBytes = 1 << 31

// NewDefaultPartitioner returns Kafka's default partitioning, as
// NewStickyPartitioner(DefaultStickyBytes).
func NewDefaultPartitioner() Partitioner { return NewStickyPartitioner(DefaultStickyBytes) }

// NewStickyPartitioner returns Kafka's default partitioning with its own
// sticky size. A message with a key, even an empty one, goes to
// KeyPartition(key, n): where Kafka's Java client and the Kafka-compatible
// Go clients would put it. Messages without a key (a nil Key) stick to one
// partition of their topic, chosen at random, until stickyBytes of their
// keys and values have gone to it, then move to another one at random
// (never the same one again when the topic has more than one), so that
// they fill large batches yet spread evenly over time. Each message counts
// at least one byte, so that empty ones move on too. Each topic sticks on
// its own. stickyBytes of zero or less means DefaultStickyBytes; it is
// capped at 2 GiB.
func NewStickyPartitioner(stickyBytes int) Partitioner {
	if stickyBytes <= 0 {
		stickyBytes = DefaultStickyBytes
	}
	return &stickyPartitioner{limit: uint64(min(stickyBytes, maxStickyBytes))}
}

type stickyPartitioner struct {
	limit  uint64   // bytes a partition gets before the next one is chosen
	topics sync.Map // topic name -> *stickyState
}

// stickyState is one topic's sticky choice in a single word, so that a
// message updates it, and a switch replaces it, with one compare-and-swap:
// the partition in the low 32 bits and the bytes sent to it in the high 32.
type stickyState struct {
	word atomic.Uint64
	_    [56]byte // a cache line of its own: topics are hot independently
}

func (p *stickyPartitioner) Partition(m Message, n int32) int32 {
	if m.Key != nil {
		return KeyPartition(m.Key, n)
	}
	st := p.state(m.Topic, n)
	size := uint64(max(len(m.Key)+len(m.Value), 1))
	for {
		old := st.word.Load()
		part, sent := int32(uint32(old)), old>>32
		if part < n && sent < p.limit {
			// Stay. sent+size is capped at the limit, which fits in 32 bits.
			if st.word.CompareAndSwap(old, min(sent+size, p.limit)<<32|uint64(part)) {
				return part
			}
			continue
		}
		// Move on: the current partition has had its share, or lies beyond
		// the count (the caller's count is older than the one the choice
		// was made with).
		next := rand.Int32N(n)
		if n > 1 && next == part {
			next = (next + 1 + rand.Int32N(n-1)) % n
		}
		if st.word.CompareAndSwap(old, min(size, p.limit)<<32|uint64(next)) {
			return next
		}
	}
}

// state returns the sticky state of a topic, made with a random partition
// among n when the topic is new.
func (p *stickyPartitioner) state(topic string, n int32) *stickyState {
	if v, ok := p.topics.Load(topic); ok {
		return v.(*stickyState)
	}
	st := new(stickyState)
	st.word.Store(uint64(rand.Int32N(n)))
	v, _ := p.topics.LoadOrStore(topic, st)
	return v.(*stickyState)
}

// NewManualPartitioner returns a partitioner that sends each message to
// the partition its Partition field names, as franz-go's
// ManualPartitioner and sarama's NewManualPartitioner do: for a producer
// that decides every message's partition itself. A message to a partition
// its topic does not have fails with ErrUnknownPartition.
func NewManualPartitioner() Partitioner {
	return PartitionerFunc(func(m Message, _ int32) int32 { return m.Partition })
}

// NewRoundRobinPartitioner returns a partitioner that ignores keys and
// sends each topic's messages to its partitions in turn: 0, 1, 2, ... and
// around again.
func NewRoundRobinPartitioner() Partitioner { return &roundRobinPartitioner{} }

type roundRobinPartitioner struct {
	topics sync.Map // topic name -> *roundRobinState
}

// roundRobinState counts the messages of one topic.
type roundRobinState struct {
	next atomic.Uint64
	_    [56]byte // a cache line of its own, as stickyState
}

func (p *roundRobinPartitioner) Partition(m Message, n int32) int32 {
	v, ok := p.topics.Load(m.Topic)
	if !ok {
		v, _ = p.topics.LoadOrStore(m.Topic, new(roundRobinState))
	}
	return int32((v.(*roundRobinState).next.Add(1) - 1) % uint64(n))
}
