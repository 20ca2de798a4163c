package compress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/golang/snappy"
)

// xerialMagic opens a snappy stream in the xerial framing that Kafka's Java
// client writes. The magic is followed by two big-endian int32s, a version
// and the oldest compatible version, and then by chunks, each a big-endian
// int32 length and a raw snappy block of that many bytes.
const xerialMagic = "\x82SNAPPY\x00"

const (
	xerialHeaderLen      = len(xerialMagic) + 8
	xerialChunkHeaderLen = 4
)

// maxSnappyRatio bounds how far a raw snappy block can expand: its longest
// element, a copy, costs at least 3 bytes and yields at most 64. A block
// whose header claims more than this many times its own size is corrupt,
// and is rejected before anything is allocated for it.
const maxSnappyRatio = 22

var (
	errXerialHeader = errors.New("xerial snappy header is truncated")
	errXerialChunk  = errors.New("xerial snappy chunk overruns the input")
	errSnappyRatio  = errors.New("snappy block claims an impossible size")
)

func appendSnappy(dst, src []byte) ([]byte, error) {
	n := snappy.MaxEncodedLen(len(src))
	if n < 0 {
		return dst, fmt.Errorf("compress: snappy: %d bytes is too large for one block", len(src))
	}
	buf := slices.Grow(dst, n)
	out := snappy.Encode(buf[len(buf):len(buf)+n], src)
	return buf[:len(buf)+len(out)], nil
}

// decodeSnappy decodes a raw snappy block or, if src starts with the xerial
// magic, a xerial stream of them.
func decodeSnappy(dst, src []byte, limit int) ([]byte, error) {
	if len(src) < len(xerialMagic) || string(src[:len(xerialMagic)]) != xerialMagic {
		n, err := snappyBlockLen(src)
		if err != nil {
			return dst, err
		}
		if n > limit {
			return dst, tooLarge(limit)
		}
		return appendSnappyBlock(grow(dst, n), src, n)
	}
	if len(src) < xerialHeaderLen {
		return dst, corrupt(errXerialHeader)
	}
	chunks := src[xerialHeaderLen:]

	// Walk the chunks once to check their lengths and add up their decoded
	// sizes, so that dst grows once and only for a stream that fits.
	total := 0
	for rest := chunks; len(rest) > 0; {
		block, next, err := nextXerialChunk(rest)
		if err != nil {
			return dst, err
		}
		n, err := snappyBlockLen(block)
		if err != nil {
			return dst, err
		}
		if n > limit-total {
			return dst, tooLarge(limit)
		}
		total += n
		rest = next
	}

	out := grow(dst, total)
	for rest := chunks; len(rest) > 0; {
		block, next, _ := nextXerialChunk(rest)
		n, _ := snappyBlockLen(block)
		var err error
		if out, err = appendSnappyBlock(out, block, n); err != nil {
			return dst, err
		}
		rest = next
	}
	return out, nil
}

// nextXerialChunk splits the first chunk of a xerial stream's body from the
// chunks after it.
func nextXerialChunk(chunks []byte) (block, rest []byte, err error) {
	if len(chunks) < xerialChunkHeaderLen {
		return nil, nil, corrupt(errXerialChunk)
	}
	// Read as unsigned, a negative int32 length is larger than any input.
	n := uint64(binary.BigEndian.Uint32(chunks))
	chunks = chunks[xerialChunkHeaderLen:]
	if n > uint64(len(chunks)) {
		return nil, nil, corrupt(errXerialChunk)
	}
	return chunks[:n], chunks[n:], nil
}

// snappyBlockLen returns the decoded length a raw snappy block declares,
// rejecting one no valid block of its size could have.
func snappyBlockLen(block []byte) (int, error) {
	n, err := snappy.DecodedLen(block)
	if err != nil {
		return 0, corrupt(err)
	}
	if uint64(n) > uint64(len(block))*maxSnappyRatio {
		return 0, corrupt(errSnappyRatio)
	}
	return n, nil
}

// appendSnappyBlock decodes a raw snappy block whose decoded length is n
// into the spare capacity of dst, which must have room for it.
func appendSnappyBlock(dst, block []byte, n int) ([]byte, error) {
	if _, err := snappy.Decode(dst[len(dst):len(dst)+n], block); err != nil {
		return dst, corrupt(err)
	}
	return dst[:len(dst)+n], nil
}
