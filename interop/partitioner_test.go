package interop

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/commitlog-go/commitlog/producer"
)

// TestKeyPartitionMatchesFranzGoAndSarama checks that a keyed message lands
// on the partition the Kafka-compatible partitioners of franz-go and sarama
// choose (both murmur2 with the sign bit cleared, as Kafka's Java client):
// franz-go's StickyKeyPartitioner with its default hasher, and sarama's
// NewMurmur2Partitioner. sarama's other hash partitioners (FNV-1a, CRC-32)
// follow other clients on purpose and are not compared.
//
// The keys are random, of every length from 0 (an empty key is a key, in
// all three) to 64 bytes, so that every tail length is met many times,
// plus keys built to hash to the extremes of int32, where clearing the sign
// bit and taking an absolute value part ways. Partition counts run 1 to 100.
func TestKeyPartitionMatchesFranzGoAndSarama(t *testing.T) {
	franz := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	srm := sarama.NewMurmur2Partitioner("t")
	ours := producer.NewDefaultPartitioner()

	check := func(key []byte, n int) {
		t.Helper()
		want := franz.Partition(&kgo.Record{Topic: "t", Key: key}, n)
		s, err := srm.Partition(&sarama.ProducerMessage{Topic: "t", Key: sarama.ByteEncoder(key)}, int32(n))
		require.NoError(t, err)
		require.Equal(t, want, int(s), "franz-go and sarama disagree: key %x, %d partitions", key, n)
		require.Equal(t, want, int(producer.KeyPartition(key, int32(n))), "key %x, %d partitions", key, n)
		require.Equal(t, want, int(ours.Partition(producer.Message{Topic: "t", Key: key}, int32(n))), "key %x, %d partitions", key, n)
	}

	// Four-byte keys whose murmur2 is an extreme of int32, found by running
	// the hash backwards (see keyWithHash in package producer's tests).
	for _, tc := range []struct {
		hash int32
		key  string
	}{
		{math.MinInt32, "a7d6506c"},
		{math.MinInt32 + 1, "3334f6a5"},
		{-1, "a5d4305c"},
		{0, "e3871844"},
		{math.MaxInt32, "027d5343"},
	} {
		key, err := hex.DecodeString(tc.key)
		require.NoError(t, err)
		require.Equal(t, tc.hash, producer.Murmur2(key), "key %s", tc.key)
		for n := 1; n <= 100; n++ {
			check(key, n)
		}
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		key := make([]byte, i%65)
		for j := range key {
			key[j] = byte(rng.Uint32())
		}
		check(key, 1+rng.IntN(100))
	}
}
