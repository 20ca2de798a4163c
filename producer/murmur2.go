package producer

import "encoding/binary"

// Constants of Kafka's MurmurHash2. The multiplier and the shift are
// MurmurHash2's own mixing constants, which Austin Appleby chose for how
// well they spread bits (they have no meaning beyond that); the seed is the
// one Kafka's Java client fixed, so that every Kafka client puts a key on
// the same partition.
const (
	murmur2Seed  uint32 = 0x9747b28c // Kafka's seed, xored with the length
	murmur2Mul   uint32 = 0x5bd1e995 // MurmurHash2's multiplier ("m")
	murmur2Shift        = 24         // MurmurHash2's block shift ("r")
)

// Murmur2 returns the 32-bit MurmurHash2 of data exactly as Kafka's Java
// client computes it (Utils.murmur2 in org.apache.kafka.common.utils), as
// the signed value Java returns, so that the same key gives the same hash
// here, in the Java client and in the Kafka-compatible Go clients. A nil
// and an empty slice hash alike.
func Murmur2(data []byte) int32 {
	// The state starts as the seed mixed with the length.
	h := murmur2Seed ^ uint32(len(data))

	// Each whole 4-byte block, read as a little-endian word, is scrambled
	// on its own and then folded into the state.
	for ; len(data) >= 4; data = data[4:] {
		k := binary.LittleEndian.Uint32(data)
		k *= murmur2Mul
		k ^= k >> murmur2Shift
		k *= murmur2Mul
		h = h*murmur2Mul ^ k
	}

	// The 1 to 3 bytes left over go in without the block scramble, each at
	// its little-endian position, and are then mixed once: every case falls
	// through to the ones below it.
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= murmur2Mul
	}

	// A last avalanche, so that every input bit reaches the low bits that
	// a modulo looks at.
	h ^= h >> 13
	h *= murmur2Mul
	h ^= h >> 15
	return int32(h)
}

// KeyPartition returns the partition, among numPartitions, that Kafka's
// default partitioner gives a message with this key: the murmur2 hash with
// its sign bit cleared (the Java client's toPositive, which is not an
// absolute value), modulo the count. The result is in [0, numPartitions);
// numPartitions must be positive, or KeyPartition panics.
func KeyPartition(key []byte, numPartitions int32) int32 {
	return (Murmur2(key) & 0x7fffffff) % numPartitions
}
