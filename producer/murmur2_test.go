package producer

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// murmur2Vectors are hashes that other implementations vouch for.
//
// The "kafka" rows are every case of Kafka's own unit test of the Java
// client's hash: UtilsTest.testMurmur2 in
// clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java of
// apache/kafka (read at commit f55581dc73953c3509a4702433aeeeddc2970779).
//
// That test has no key whose length is 1 mod 4, nor the empty key, so the
// "sarama" rows add the cases of TestMurmur2 in partitioner_test.go of
// github.com/IBM/sarama v1.61.1, which says it checked them against the Java
// client's Utils.murmur2; sarama states them as uint32, converted here to
// the signed value Java returns.
var murmur2Vectors = []struct {
	source string
	key    string
	want   int32
}{
	{"kafka", "21", -973932308},
	{"kafka", "foobar", -790332482},
	{"kafka", "a-little-bit-long-string", -985981536},
	{"kafka", "a-little-bit-longer-string", -1486304829},
	{"kafka", "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
	{"kafka", "abc", 479470107},
	{"sarama", "", 275646681},
	{"sarama", "foo", 597841616},
	{"sarama", "bar", 988958145},
	{"sarama", "baz", 1973573280},
	{"sarama", "kafka", -798503068}, // 3496464228 as uint32
	{"sarama", "sarama", 770765511},
}

func TestMurmur2Vectors(t *testing.T) {
	for _, v := range murmur2Vectors {
		t.Run(fmt.Sprintf("%s/%q", v.source, v.key), func(t *testing.T) {
			require.Equal(t, v.want, Murmur2([]byte(v.key)))
		})
	}
}

// TestMurmur2TailLengths makes sure the vectors cover every length modulo
// 4, so that each case of the tail switch (and none) is checked against
// another implementation, and that each tail byte counts.
func TestMurmur2TailLengths(t *testing.T) {
	covered := map[int][]string{}
	for _, v := range murmur2Vectors {
		covered[len(v.key)%4] = append(covered[len(v.key)%4], v.key)
	}
	for tail := range 4 {
		require.NotEmpty(t, covered[tail], "no vector with %d tail bytes", tail)
	}

	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"tail 1", []byte("abcde")},
		{"tail 2", []byte("abcdef")},
		{"tail 3", []byte("abcdefg")},
		{"no tail", []byte("abcdefgh")},
		{"high bytes", []byte{0xff, 0x80, 0x7f, 0xfe, 0x81, 0xc0, 0x01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := Murmur2(tc.key)
			require.Equal(t, h, Murmur2(append([]byte(nil), tc.key...)), "a copy hashes alike")
			if len(tc.key) == 0 {
				require.Equal(t, int32(275646681), h, "nil and empty are the empty key")
				return
			}
			// Every byte, in a block or in the tail, changes the hash, and
			// so does one more byte.
			for i := range tc.key {
				flipped := append([]byte(nil), tc.key...)
				flipped[i] ^= 0x01
				require.NotEqual(t, h, Murmur2(flipped), "byte %d is ignored", i)
			}
			require.NotEqual(t, h, Murmur2(append(append([]byte(nil), tc.key...), 0)), "a trailing zero is ignored")
		})
	}
}

// keyWithHash returns a 4-byte key whose Murmur2 is h. The hash of one
// block is a chain of invertible steps (xor-shifts and products by the odd
// multiplier), so running them backwards from h gives the block.
func keyWithHash(h int32) []byte {
	inv := murmur2Mul // the multiplier's inverse modulo 2^32, by Newton's method
	for range 5 {
		inv *= 2 - murmur2Mul*inv
	}
	unshift := func(y uint32, s uint) uint32 { // inverts y ^= y >> s
		x := y
		for i := s; i < 32; i += s {
			x ^= y >> i
		}
		return x
	}
	x := unshift(uint32(h), 15)
	x = unshift(x*inv, 13)   // the state after the block
	start := murmur2Seed ^ 4 // the state before the block, for 4 bytes
	k := x ^ start*murmur2Mul
	k = unshift(k*inv, murmur2Shift) * inv
	return []byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
}

func TestKeyPartitionExtremeHashes(t *testing.T) {
	for _, h := range []int32{math.MinInt32, math.MinInt32 + 1, -2, -1, 0, 1, math.MaxInt32 - 1, math.MaxInt32} {
		key := keyWithHash(h)
		require.Equal(t, h, Murmur2(key), "key %x", key)
		for _, n := range []int32{1, 2, 3, 7, 10, 100, 1 << 20, math.MaxInt32} {
			p := KeyPartition(key, n)
			require.GreaterOrEqual(t, p, int32(0), "hash %d, %d partitions", h, n)
			require.Less(t, p, n, "hash %d, %d partitions", h, n)
			// The sign bit is cleared, not negated: MinInt32 goes to
			// partition 0 and -1 to MaxInt32 % n, as in Kafka.
			require.Equal(t, (h&math.MaxInt32)%n, p, "hash %d, %d partitions", h, n)
		}
	}
	// Spelled out, so that a mistake in keyWithHash cannot hide one in
	// KeyPartition: -1 is MaxInt32 after its sign bit, whose remainder by
	// 10 is 7 (an absolute value would give 1).
	require.Equal(t, int32(7), KeyPartition(keyWithHash(-1), 10))
	require.Equal(t, int32(0), KeyPartition(keyWithHash(math.MinInt32), 10))
}

func TestKeyPartitionInRange(t *testing.T) {
	// "foobar" hashes to -790332482, 1357151166 with its sign bit cleared.
	require.Equal(t, int32(1357151166%10), KeyPartition([]byte("foobar"), 10))

	rng := rand.New(rand.NewPCG(7, 11))
	key := make([]byte, 0, 64)
	negative := 0
	for range 20000 {
		key = key[:rng.IntN(cap(key)+1)]
		for i := range key {
			key[i] = byte(rng.Uint32())
		}
		if Murmur2(key) < 0 {
			negative++
		}
		n := 1 + rng.Int32N(1000)
		p := KeyPartition(key, n)
		require.True(t, p >= 0 && p < n, "key %s, %d partitions: %d", hex.EncodeToString(key), n, p)
		require.Equal(t, p, KeyPartition(key, n), "deterministic")
	}
	require.Greater(t, negative, 9000, "about half the hashes are negative, so the sign bit is exercised")
}

func BenchmarkMurmur2(b *testing.B) {
	for _, size := range []int{8, 16, 64, 256} {
		key := make([]byte, size)
		for i := range key {
			key[i] = byte(i)
		}
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				Murmur2(key)
			}
		})
	}
}
