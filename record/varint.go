package record

// Record fields use the zig-zag LEB128 varints of Protocol Buffers: a signed
// value v is mapped to (v << 1) ^ (v >> 63), so small magnitudes of either
// sign take few bytes, then written 7 bits a byte, least significant first,
// with the high bit set on every byte but the last.
//
//	value  -1   0   1   -64   63   64      300
//	bytes  01   00  02  7f    7e   80 01   d8 04
//
// A field of 32 bits takes at most 5 bytes, one of 64 bits at most 10.

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// appendVarint appends the zig-zag varint of v.
func appendVarint(dst []byte, v int64) []byte {
	u := zigzag(v)
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

// varintLen is the number of bytes appendVarint writes for v.
func varintLen(v int64) int {
	u := zigzag(v)
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}

// varintAt decodes the zig-zag varint at p[pos], of at most ten bytes. It
// returns the value and the position after it, or a position of -1 if p
// ends first, the encoding is longer than ten bytes, or pos is already -1
// (so that a chain of reads can check for failure once, at its end). It is small enough
// for the compiler to inline, which the record decoder depends on.
func varintAt(p []byte, pos int) (int64, int) {
	var u uint64
	for shift := uint(0); uint(pos) < uint(len(p)) && shift < 64; shift += 7 {
		c := p[pos]
		pos++
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), pos
		}
	}
	return 0, -1
}

// varint32At is varintAt for a field that must fit in an int32: at most five
// bytes, the fifth carrying at most four bits.
func varint32At(p []byte, pos int) (int32, int) {
	var u uint32
	for shift := uint(0); uint(pos) < uint(len(p)) && shift < 35; shift += 7 {
		c := p[pos]
		pos++
		if c < 0x80 {
			if shift == 28 && c > 0x0f {
				break
			}
			u |= uint32(c) << shift
			return int32(u>>1) ^ -int32(u&1), pos
		}
		u |= uint32(c&0x7f) << shift
	}
	return 0, -1
}
