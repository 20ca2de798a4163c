package compress

import (
	"errors"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zstdMaxBlockSize is the most one zstd block may decode to.
const zstdMaxBlockSize = 128 << 10

var errZstdFrame = errors.New("zstd frame is truncated")

// zstdEncoder is shared by every caller: EncodeAll is safe for concurrent
// use and keeps one encoder state per processor. SpeedDefault matches the
// level 3 that Kafka's clients use by default.
var zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithEncoderConcurrency(0),
		// Write a frame for empty input too, as other encoders do.
		zstd.WithZeroFrames(true),
	)
	if err != nil {
		panic("compress: zstd: " + err.Error())
	}
	return enc
})

// zstdDecoder is shared by every caller like zstdEncoder. It decodes at
// most the spare capacity of the slice it appends to, which is how each
// call's limit is enforced without changing the decoder's options: the
// output buffer is the decoder's only window, so nothing else grows with
// the stream.
var zstdDecoder = sync.OnceValue(func() *zstd.Decoder {
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecodeAllCapLimit(true),
	)
	if err != nil {
		panic("compress: zstd: " + err.Error())
	}
	return dec
})

func appendZstd(dst, src []byte) []byte {
	return zstdEncoder().EncodeAll(src, dst)
}

// decodeZstd decodes the frames of src one at a time. Before each frame it
// works out how much the frame can produce: exactly its content size when
// the header records one, otherwise an upper bound from its block headers.
// It gives the decoder room for that much, or for what is left of the
// limit if that is less, so the decoder stops once the limit is passed.
func decodeZstd(dst, src []byte, limit int) ([]byte, error) {
	dec := zstdDecoder()
	out := dst
	for len(src) > 0 {
		f, err := parseZstdFrame(src)
		if err != nil {
			return dst, corrupt(err)
		}
		frame := src[:f.size]
		src = src[f.size:]
		if f.skippable {
			continue
		}
		left := uint64(limit - (len(out) - len(dst)))
		if f.hasContentSize && f.contentSize > left {
			return dst, tooLarge(limit)
		}
		room := min(f.maxSize, left)
		full := grow(out, int(room))
		buf := full[: len(full) : len(full)+int(room)]
		res, err := dec.DecodeAll(frame, buf)
		if err != nil {
			if errors.Is(err, zstd.ErrDecoderSizeExceeded) && room == left {
				return dst, tooLarge(limit)
			}
			return dst, corrupt(err)
		}
		out = res
		if sameArray(res, full) {
			// Give back the capacity hidden from the decoder.
			out = full[:len(res)]
		}
	}
	return out, nil
}

// sameArray reports whether a and b begin at the same element of the same
// array.
func sameArray(a, b []byte) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0]
}

// zstdFrame describes the first frame of a zstd stream.
type zstdFrame struct {
	size           int    // bytes the frame occupies, header to checksum
	skippable      bool   // whether the frame holds no data to decode
	hasContentSize bool   // whether the header records contentSize
	contentSize    uint64 // the decoded size the header records
	maxSize        uint64 // the most the frame's blocks can decode to
}

// parseZstdFrame finds where the first frame of src ends by walking its
// block headers, without decoding any block.
func parseZstdFrame(src []byte) (zstdFrame, error) {
	var h zstd.Header
	rest, err := h.DecodeAndStrip(src)
	if err != nil {
		return zstdFrame{}, err
	}
	if h.Skippable {
		size := uint64(h.HeaderSize) + uint64(h.SkippableSize)
		if size > uint64(len(src)) {
			return zstdFrame{}, errZstdFrame
		}
		return zstdFrame{size: int(size), skippable: true}, nil
	}
	f := zstdFrame{
		hasContentSize: h.HasFCS,
		contentSize:    h.FrameContentSize,
	}
	for last := false; !last; {
		if len(rest) < 3 {
			return zstdFrame{}, errZstdFrame
		}
		bh := uint32(rest[0]) | uint32(rest[1])<<8 | uint32(rest[2])<<16
		rest = rest[3:]
		last = bh&1 != 0
		size := int(bh >> 3)
		switch (bh >> 1) & 3 {
		case 0: // raw: size bytes, copied as they are
			f.maxSize += uint64(size)
		case 1: // RLE: one byte, repeated size times
			f.maxSize += uint64(size)
			size = 1
		case 2: // compressed: size bytes of compressed data
			f.maxSize += zstdMaxBlockSize
		default:
			return zstdFrame{}, errors.New("zstd block type is reserved")
		}
		if size > len(rest) {
			return zstdFrame{}, errZstdFrame
		}
		rest = rest[size:]
	}
	if h.HasCheckSum {
		if len(rest) < 4 {
			return zstdFrame{}, errZstdFrame
		}
		rest = rest[4:]
	}
	f.size = len(src) - len(rest)
	if f.hasContentSize {
		f.maxSize = min(f.maxSize, f.contentSize)
	}
	return f, nil
}
