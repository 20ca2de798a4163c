package producer

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// stint is a stretch of consecutive messages that went to one partition.
type stint struct {
	partition int32
	messages  int
}

// stints sends count keyless messages with values of size bytes to topic
// and returns the stretches they made, in order.
func stints(p Partitioner, topic string, size int, n int32, count int) []stint {
	m := Message{Topic: topic, Value: make([]byte, size)}
	var out []stint
	for range count {
		got := p.Partition(m, n)
		if len(out) > 0 && out[len(out)-1].partition == got {
			out[len(out)-1].messages++
			continue
		}
		out = append(out, stint{got, 1})
	}
	return out
}

func TestDefaultPartitionerKeyed(t *testing.T) {
	p := NewDefaultPartitioner()
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"empty key is a key", []byte{}},
		{"one byte", []byte("a")},
		{"kafka vector", []byte("foobar")},
		{"user id", []byte("user-1234567")},
		{"binary", []byte{0xff, 0x00, 0x80, 0x7f, 0x01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range []int32{1, 3, 12, 100} {
				want := KeyPartition(tc.key, n)
				for i, m := range []Message{
					{Topic: "t", Key: tc.key},
					{Topic: "t", Key: tc.key, Value: make([]byte, 1<<20)},
					{Topic: "other", Key: tc.key, Value: []byte("v")},
					{Topic: "t", Key: tc.key},
				} {
					require.Equal(t, want, p.Partition(m, n), "%d partitions, message %d", n, i)
				}
			}
		})
	}
	require.Equal(t, int32(1357151166%12), p.Partition(Message{Key: []byte("foobar")}, 12),
		"Kafka's hash of foobar with its sign bit cleared, modulo 12")
}

func TestStickyPartitionerSticksThenMoves(t *testing.T) {
	for _, tc := range []struct {
		name        string
		p           Partitioner
		size        int
		n           int32
		wantPerStay int // messages per stint
	}{
		{"default, 1000-byte values", NewDefaultPartitioner(), 1000, 12, 17}, // 16 KiB / 1000, rounded up
		{"batch of exactly the limit", NewStickyPartitioner(4096), 1024, 3, 4},
		{"values beyond the limit", NewStickyPartitioner(100), 1000, 5, 1},
		{"two partitions alternate", NewStickyPartitioner(100), 10, 2, 10},
		{"empty values count one byte", NewStickyPartitioner(10), 0, 4, 10},
		{"zero means the default", NewStickyPartitioner(0), 1024, 7, 16},
		{"negative means the default", NewStickyPartitioner(-1), 1024, 7, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := stints(tc.p, "t", tc.size, tc.n, 100*tc.wantPerStay)
			// Consecutive stints are on different partitions by
			// construction, so a move to the same partition would show
			// as a stint twice as long.
			require.Len(t, got, 100, "%v", got)
			for i, s := range got {
				require.True(t, s.partition >= 0 && s.partition < tc.n, "stint %d: %v", i, s)
				require.Equal(t, tc.wantPerStay, s.messages, "stint %d of %v", i, got)
			}
		})
	}
	t.Run("one partition", func(t *testing.T) {
		got := stints(NewDefaultPartitioner(), "t", 1000, 1, 1000)
		require.Equal(t, []stint{{0, 1000}}, got)
	})
}

func TestStickyPartitionerSpreads(t *testing.T) {
	const n, perPartition = 12, 500
	got := stints(NewDefaultPartitioner(), "t", 1000, n, 17*n*perPartition)
	require.Len(t, got, n*perPartition)
	counts := make([]int, n)
	for _, s := range got {
		counts[s.partition]++
	}
	// Each stint picks uniformly among the 11 other partitions, so the
	// counts are near 500 each (a standard deviation of about 21).
	for i, c := range counts {
		require.InDelta(t, perPartition, c, 150, "partition %d: %v", i, counts)
	}

	// The first partition of a topic is random too.
	first := map[int32]bool{}
	for range 400 {
		first[NewDefaultPartitioner().Partition(Message{Topic: "t"}, 8)] = true
	}
	require.Len(t, first, 8)
}

func TestStickyPartitionerTopicsAndKeysAreIndependent(t *testing.T) {
	p := NewStickyPartitioner(100)
	value := make([]byte, 10)
	var a, b []int32
	for range 100 {
		a = append(a, p.Partition(Message{Topic: "a", Value: value}, 8))
		p.Partition(Message{Topic: "a", Key: []byte("k"), Value: make([]byte, 1000)}, 8)
		b = append(b, p.Partition(Message{Topic: "b", Value: value}, 8))
	}
	// Neither the other topic nor keyed messages count toward a stint:
	// each topic still moves every 10 messages.
	for _, parts := range [][]int32{a, b} {
		for i := range parts {
			if i%10 != 0 {
				require.Equal(t, parts[i-1], parts[i], "message %d of %v", i, parts)
			} else if i > 0 {
				require.NotEqual(t, parts[i-1], parts[i], "message %d of %v", i, parts)
			}
		}
	}
}

func TestStickyPartitionerPartitionCountChanges(t *testing.T) {
	m := Message{Topic: "t", Value: []byte("v")}
	for range 20 {
		p := NewStickyPartitioner(1 << 20) // never moves by bytes here
		first := p.Partition(m, 16)
		require.Equal(t, first, p.Partition(m, 16), "sticks")

		// A caller with a smaller count (one that read it before the
		// topic grew) gets a partition it knows, and sticks to it.
		small := p.Partition(m, 2)
		require.True(t, small >= 0 && small < 2, "%d", small)
		if first < 2 {
			require.Equal(t, first, small, "a partition that still exists is kept")
		}
		require.Equal(t, small, p.Partition(m, 2))

		// Growing keeps the current partition: it is still valid.
		require.Equal(t, small, p.Partition(m, 64))
	}
	// The bytes sent to a partition have 32 bits of the state: larger
	// limits are capped below that, and sums saturate at the limit.
	require.Equal(t, uint64(maxStickyBytes), NewStickyPartitioner(math.MaxInt).(*stickyPartitioner).limit)
}

func TestRoundRobinPartitioner(t *testing.T) {
	for _, n := range []int32{1, 2, 5, 16} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p := NewRoundRobinPartitioner()
			for i := range 3 * n {
				// Keys are ignored; topics take turns of their own.
				require.Equal(t, i%n, p.Partition(Message{Topic: "t", Key: []byte("same key")}, n), "message %d", i)
				require.Equal(t, i%n, p.Partition(Message{Topic: "u"}, n), "message %d", i)
			}
		})
	}
	p := NewRoundRobinPartitioner()
	for range 3 {
		p.Partition(Message{Topic: "t"}, 5)
	}
	require.Equal(t, int32(1), p.Partition(Message{Topic: "t"}, 2), "the fourth message among two partitions")
}

func TestPartitionerFunc(t *testing.T) {
	var got Message
	f := PartitionerFunc(func(m Message, n int32) int32 {
		got = m
		return int32(len(m.Value)) % n
	})
	var p Partitioner = f
	m := Message{Topic: "t", Key: []byte("k"), Value: []byte("abcde")}
	require.Equal(t, int32(2), p.Partition(m, 3))
	require.Equal(t, m, got, "the function sees the message")
}

func TestPartitionersConcurrent(t *testing.T) {
	const goroutines, perGoroutine = 64, 1000
	for _, tc := range []struct {
		name string
		p    Partitioner
	}{
		{"default", NewDefaultPartitioner()},
		{"small sticky", NewStickyPartitioner(64)},
		{"round robin", NewRoundRobinPartitioner()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range perGoroutine {
						// Counts vary from call to call, as when a topic
						// grows while producers run.
						n := int32(1 + (g+i)%9)
						m := Message{Topic: []string{"a", "b", "c"}[i%3], Value: make([]byte, i%100)}
						if i%4 == 0 {
							m.Key = fmt.Appendf(nil, "key-%d", i)
						}
						if got := tc.p.Partition(m, n); got < 0 || got >= n {
							t.Errorf("partition %d of %d", got, n)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}

	t.Run("round robin is fair", func(t *testing.T) {
		const n = 8
		p := NewRoundRobinPartitioner()
		var counts [n]atomic.Int64
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range perGoroutine {
					counts[p.Partition(Message{Topic: "t"}, n)].Add(1)
				}
			})
		}
		wg.Wait()
		for i := range counts {
			require.Equal(t, int64(goroutines*perGoroutine/n), counts[i].Load(), "partition %d", i)
		}
	})

	t.Run("sticky counts every byte once", func(t *testing.T) {
		// With values of 10 bytes and a limit of 100, every stint is
		// exactly 10 messages whatever the interleaving, and with two
		// partitions the stints alternate between them: a lost or doubled
		// update would make a stint longer or shorter and upset the even
		// split.
		p := NewStickyPartitioner(100)
		var counts [2]atomic.Int64
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				m := Message{Topic: "t", Value: make([]byte, 10)}
				for range perGoroutine {
					counts[p.Partition(m, 2)].Add(1)
				}
			})
		}
		wg.Wait()
		require.Equal(t, int64(goroutines*perGoroutine/2), counts[0].Load())
		require.Equal(t, int64(goroutines*perGoroutine/2), counts[1].Load())
	})
}

// TestManualPartitioner: the manual partitioner sends each message to its
// Partition, zero included, and the default one ignores the field.
func TestManualPartitioner(t *testing.T) {
	manual := NewManualPartitioner()
	for _, part := range []int32{0, 3, 7} {
		require.Equal(t, part, manual.Partition(Message{Topic: "t", Key: []byte("foobar"), Partition: part}, 8))
	}
	def := NewDefaultPartitioner()
	require.Equal(t, KeyPartition([]byte("foobar"), 8), def.Partition(Message{Topic: "t", Key: []byte("foobar"), Partition: 3}, 8))
}

// ExamplePartitionerFunc sends messages without a key to partition 0, and
// keyed ones where Kafka would.
func ExamplePartitionerFunc() {
	p := PartitionerFunc(func(m Message, n int32) int32 {
		if m.Key == nil {
			return 0
		}
		return KeyPartition(m.Key, n)
	})
	fmt.Println(p.Partition(Message{Topic: "orders", Value: []byte("v")}, 10))
	fmt.Println(p.Partition(Message{Topic: "orders", Key: []byte("foobar")}, 10))
	// Output:
	// 0
	// 6
}

func BenchmarkPartitioner(b *testing.B) {
	key := []byte("user-1234567")
	value := make([]byte, 100)
	for _, bc := range []struct {
		name string
		p    Partitioner
		m    Message
	}{
		{"default/keyed", NewDefaultPartitioner(), Message{Topic: "orders", Key: key, Value: value}},
		{"default/unkeyed", NewDefaultPartitioner(), Message{Topic: "orders", Value: value}},
		{"round-robin", NewRoundRobinPartitioner(), Message{Topic: "orders", Key: key, Value: value}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.p.Partition(bc.m, 16)
			}
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					bc.p.Partition(bc.m, 16)
				}
			})
		})
	}
}
