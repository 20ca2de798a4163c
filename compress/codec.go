package compress

import (
	"fmt"
	"io"
	"strings"
)

// Codec is a Kafka compression codec id, as stored in bits 0-2 of a batch's
// attributes.
type Codec int8

// The codec ids Kafka assigns. Ids 5 to 7 fit in the attribute bits but name
// no codec; they are not [Codec.Valid].
const (
	None   Codec = 0 // no compression
	Gzip   Codec = 1 // gzip (RFC 1952) members
	Snappy Codec = 2 // raw snappy block; xerial framing is also read
	LZ4    Codec = 3 // LZ4 frame format
	Zstd   Codec = 4 // Zstandard frames
)

// codecNames is indexed by codec id.
var codecNames = [...]string{
	None:   "none",
	Gzip:   "gzip",
	Snappy: "snappy",
	LZ4:    "lz4",
	Zstd:   "zstd",
}

// String returns the codec's lower-case name, the one Kafka uses in its
// compression.type setting, or "codec(N)" for an id that names no codec.
func (c Codec) String() string {
	if c.Valid() {
		return codecNames[c]
	}
	return fmt.Sprintf("codec(%d)", int8(c))
}

// Valid reports whether c is one of the codecs this package implements.
func (c Codec) Valid() bool {
	return c >= None && c <= Zstd
}

// MarshalText implements [encoding.TextMarshaler]. It fails with
// [ErrUnknownCodec] if c is not valid.
func (c Codec) MarshalText() ([]byte, error) {
	if !c.Valid() {
		return nil, c.unknown()
	}
	return []byte(codecNames[c]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]. It accepts the names
// [ParseCodec] does, and leaves c unchanged when it fails.
func (c *Codec) UnmarshalText(text []byte) error {
	parsed, err := ParseCodec(string(text))
	if err != nil {
		return err
	}
	*c = parsed
	return nil
}

// ParseCodec returns the codec with the given name: "none", "gzip",
// "snappy", "lz4" or "zstd", in any case. Any other name gives an error
// wrapping [ErrUnknownCodec].
func ParseCodec(name string) (Codec, error) {
	for id, n := range codecNames {
		if strings.EqualFold(name, n) {
			return Codec(id), nil
		}
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownCodec, name)
}

// AppendCompressed compresses src with c and appends the result to dst,
// returning the extended slice. [None] appends src as it is. The output of
// every other codec is a complete stream that Kafka's clients can read.
//
// On error AppendCompressed returns dst unchanged.
func (c Codec) AppendCompressed(dst, src []byte) ([]byte, error) {
	switch c {
	case None:
		return append(dst, src...), nil
	case Gzip:
		return appendGzip(dst, src)
	case Snappy:
		return appendSnappy(dst, src)
	case LZ4:
		return appendLZ4(dst, src)
	case Zstd:
		return appendZstd(dst, src), nil
	}
	return dst, c.unknown()
}

// AppendDecompressed decompresses src and appends the result to dst,
// returning the extended slice.
//
// If the decompressed data would be longer than limit bytes, not counting
// what dst already holds, it stops and returns an error wrapping
// [ErrTooLarge], having allocated no more than about limit bytes: a small
// input that expands without bound is an error, never an exhausted heap. A
// negative limit counts as zero. Input that is not a complete, well-formed
// stream of the codec, including empty input for any codec but [None], gives
// an error wrapping [ErrCorrupt].
//
// On error AppendDecompressed returns dst unchanged.
func (c Codec) AppendDecompressed(dst, src []byte, limit int) ([]byte, error) {
	limit = max(limit, 0)
	if len(src) == 0 && c != None && c.Valid() {
		// Every codec's stream has at least a header; some of the
		// libraries would read no input as no output.
		return dst, corrupt(io.ErrUnexpectedEOF)
	}
	var (
		out []byte
		err error
	)
	switch c {
	case None:
		if len(src) > limit {
			return dst, tooLarge(limit)
		}
		return append(dst, src...), nil
	case Gzip:
		out, err = decodeGzip(dst, src, limit)
	case Snappy:
		out, err = decodeSnappy(dst, src, limit)
	case LZ4:
		out, err = decodeLZ4(dst, src, limit)
	case Zstd:
		out, err = decodeZstd(dst, src, limit)
	default:
		return dst, c.unknown()
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

func (c Codec) unknown() error {
	return fmt.Errorf("%w %d", ErrUnknownCodec, int8(c))
}
