package topic

import "encoding/binary"

// Murmur2 is the 32-bit MurmurHash2 that Kafka's Java client uses to map
// keys to partitions, bit for bit: the same bytes give the same signed
// result as the client's Utils.murmur2.
func Murmur2(data []byte) int32 {
	// The algorithm's constants: Kafka's fixed seed, and MurmurHash2's
	// multiplier and shift.
	const (
		seed  = 0x9747b28c
		mix   = 0x5bd1e995
		shift = 24
	)
	n := len(data)
	h := uint32(seed) ^ uint32(n)
	// Whole 4-byte words, read little-endian.
	for ; len(data) >= 4; data = data[4:] {
		k := binary.LittleEndian.Uint32(data)
		k *= mix
		k ^= k >> shift
		k *= mix
		h *= mix
		h ^= k
	}
	// The last one to three bytes, the highest first.
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= mix
	}
	h ^= h >> 13
	h *= mix
	h ^= h >> 15
	return int32(h)
}

// KeyPartition is the partition Kafka's default partitioner gives a key
// among numPartitions: murmur2 with the sign bit cleared, modulo the count.
// numPartitions must be positive.
func KeyPartition(key []byte, numPartitions int) int {
	return int(uint32(Murmur2(key))&0x7fffffff) % numPartitions
}
