package interop

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/commitlog-go/commitlog/topic"
)

// TestKeyPartitionMatchesFranzGo checks that keyed messages land where
// franz-go's Kafka-compatible partitioner (murmur2, as the Java client)
// puts them, for random keys of every length up to 64 bytes and partition
// counts 1 to 100. sarama is not checked: its hash partitioners use FNV-1a
// or CRC-32, not the Java client's murmur2.
func TestKeyPartitionMatchesFranzGo(t *testing.T) {
	theirs := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	ours := topic.NewDefaultPartitioner()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		key := make([]byte, i%65)
		for j := range key {
			key[j] = byte(rng.Uint32())
		}
		n := 1 + rng.IntN(100)
		want := theirs.Partition(&kgo.Record{Topic: "t", Key: key}, n)
		require.Equal(t, want, topic.KeyPartition(key, n), "key %x, %d partitions", key, n)
		require.Equal(t, want, ours.Partition(topic.Message{Topic: "t", Key: key}, n), "key %x, %d partitions", key, n)
	}
}
