package topic

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMurmur2KafkaVectors checks the hash against the values Kafka's own
// UtilsTest.testMurmur2 expects of the Java client's Utils.murmur2.
func TestMurmur2KafkaVectors(t *testing.T) {
	for key, want := range map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		require.Equal(t, want, Murmur2([]byte(key)), "%q", key)
	}
}

func TestMurmur2TailsAndEmpty(t *testing.T) {
	// Every tail length hashes differently from its neighbours, and the
	// hash depends on every byte of the tail.
	base := []byte("0123456789")
	seen := map[int32]int{}
	for n := 0; n <= len(base); n++ {
		h := Murmur2(base[:n])
		prev, dup := seen[h]
		require.False(t, dup, "lengths %d and %d collide", prev, n)
		seen[h] = n
		for i := range n {
			flipped := append([]byte(nil), base[:n]...)
			flipped[i] ^= 1
			require.NotEqual(t, h, Murmur2(flipped), "length %d ignores byte %d", n, i)
		}
	}
	require.Equal(t, Murmur2(nil), Murmur2([]byte{}), "nil and empty are the same bytes")
}

func TestKeyPartitionInRange(t *testing.T) {
	// "foobar" hashes to -790332482; clearing the sign bit gives 1357151166.
	require.Equal(t, 1357151166%10, KeyPartition([]byte("foobar"), 10))
	for i := range 10000 {
		key := fmt.Appendf(nil, "key-%d", i)
		for _, n := range []int{1, 2, 3, 7, 64, 1000, math.MaxInt32} {
			p := KeyPartition(key, n)
			require.True(t, p >= 0 && p < n, "key %s, %d partitions: %d", key, n, p)
		}
	}
}

func TestDefaultPartitioner(t *testing.T) {
	p := NewDefaultPartitioner()
	for i := range 100 {
		key := fmt.Appendf(nil, "k%d", i)
		require.Equal(t, KeyPartition(key, 12), p.Partition(Message{Topic: "t", Key: key}, 12))
	}
	require.Equal(t, KeyPartition([]byte{}, 12), p.Partition(Message{Topic: "t", Key: []byte{}}, 12),
		"an empty key is a key")

	// Keyless messages stick for DefaultStickyBytes, then move.
	value := make([]byte, 1000)
	counts := make([]int, 12)
	var switches int
	last := -1
	run := 0
	for range 10000 {
		got := p.Partition(Message{Topic: "t", Value: value}, 12)
		counts[got]++
		if got != last {
			if last >= 0 {
				require.Equal(t, (DefaultStickyBytes+len(value)-1)/len(value), run, "a sticky run lasts until a batch's worth is sent")
				switches++
			}
			last, run = got, 0
		}
		run++
	}
	require.Greater(t, switches, 500)
	for i, c := range counts {
		require.Greater(t, c, 10000/12/3, "partition %d is starved: %v", i, counts)
	}
	// Topics stick independently.
	other := p.Partition(Message{Topic: "u", Value: value}, 1)
	require.Equal(t, 0, other)
}

func TestRoundRobinAndFunc(t *testing.T) {
	p := NewRoundRobinPartitioner()
	for i := range 20 {
		require.Equal(t, i%4, p.Partition(Message{Topic: "t", Key: []byte("same")}, 4))
	}
	require.Equal(t, 0, p.Partition(Message{Topic: "u"}, 4), "each topic has its own turn")
	f := PartitionerFunc(func(m Message, n int) int { return len(m.Value) % n })
	require.Equal(t, 2, f.Partition(Message{Value: []byte("abcde")}, 3))
}

func TestPartitionersConcurrentStayInRange(t *testing.T) {
	for name, p := range map[string]Partitioner{"default": NewDefaultPartitioner(), "round-robin": NewRoundRobinPartitioner()} {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			for g := range 64 {
				wg.Go(func() {
					for i := range 2000 {
						n := 1 + (g+i)%9
						m := Message{Topic: "t", Value: make([]byte, i%300)}
						if i%3 == 0 {
							m.Key = fmt.Appendf(nil, "%d", i)
						}
						if got := p.Partition(m, n); got < 0 || got >= n {
							t.Errorf("partition %d of %d", got, n)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

func BenchmarkPartitioner(b *testing.B) {
	key := []byte("user-123456")
	value := make([]byte, 100)
	for _, bc := range []struct {
		name string
		p    Partitioner
		m    Message
	}{
		{"default/keyed", NewDefaultPartitioner(), Message{Topic: "t", Key: key, Value: value}},
		{"default/sticky", NewDefaultPartitioner(), Message{Topic: "t", Value: value}},
		{"round-robin", NewRoundRobinPartitioner(), Message{Topic: "t", Value: value}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					bc.p.Partition(bc.m, 16)
				}
			})
		})
	}
}
