package record

// Each record in the records section is laid out as below; every integer but
// Attributes is a zig-zag varint (see varint.go). These rules are part of
// the format and must not change.
//
//	Length          varint   bytes of the record after this field
//	Attributes      int8     unused, 0
//	TimestampDelta  varlong  timestamp - batch BaseTimestamp (may be negative)
//	OffsetDelta     varint   offset - batch BaseOffset
//	KeyLength       varint   -1 for a nil key
//	Key             bytes
//	ValueLength     varint   -1 for a nil value (a tombstone)
//	Value           bytes
//	HeaderCount     varint
//	Headers         HeaderCount times:
//	  KeyLength     varint   never negative
//	  Key           bytes    UTF-8
//	  ValueLength   varint   -1 for a nil value
//	  Value         bytes
const (
	// minRecordSize is the smallest encoded record: a one-byte length and
	// six one-byte fields.
	minRecordSize = 7
	// minHeaderSize is the smallest encoded header: an empty key and a nil
	// value.
	minHeaderSize = 2
)

// Record is one record of a batch, in the form the format encodes: the
// producer builds one from each producer.Message, and the readers decode
// one into a consumer.Record, which adds its topic and partition.
//
// When a Record comes from an [Iterator] over an uncompressed batch, Key,
// Value and the headers' fields are slices of the batch's own bytes: they
// are valid while those bytes are, and must not be modified. An iterator
// also reuses one Record for every record it returns. [Record.Clone]
// makes a copy that owns its bytes.
type Record struct {
	// Offset is the record's position in its partition. A [Builder]
	// ignores it: offsets follow from the batch's base offset.
	Offset int64
	// Timestamp is in milliseconds since the Unix epoch.
	Timestamp int64
	// Key is nil for a record without a key.
	Key []byte
	// Value is nil for a tombstone, which is not the same as an empty
	// value.
	Value []byte
	// Headers are the record's headers, in order. Keys may repeat.
	Headers []Header
}

// Clone returns a copy of r that the caller owns: its key, value and
// headers are copied out of the bytes they point into (a reader's buffer,
// a batch), into one allocation. A nil key, value or header value stays
// nil, and an empty one stays empty.
func (r *Record) Clone() *Record {
	out := *r
	out.Key, out.Value, out.Headers = CloneFields(r.Key, r.Value, r.Headers)
	return &out
}

// CloneFields copies a record's key, value and headers into one new
// allocation that the results share, each slice capped at its own length
// so that appending to one cannot overwrite the next. Nil stays nil. It is
// the body of [Record.Clone], for the record types of other packages.
func CloneFields(key, value []byte, headers []Header) ([]byte, []byte, []Header) {
	n := len(key) + len(value)
	for _, h := range headers {
		n += len(h.Key) + len(h.Value)
	}
	buf := make([]byte, 0, n)
	take := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		start := len(buf)
		buf = append(buf, b...)
		return buf[start:len(buf):len(buf)]
	}
	key, value = take(key), take(value)
	if headers != nil {
		copied := make([]Header, len(headers))
		for i, h := range headers {
			copied[i] = Header{Key: take(h.Key), Value: take(h.Value)}
		}
		headers = copied
	}
	return key, value, headers
}

// Header is a key-value pair attached to a record.
type Header struct {
	// Key is the header's name, UTF-8 by convention; never nil on decode.
	Key []byte
	// Value is nil when the header has no value.
	Value []byte
}

// bodyLen is the size of the record's encoding after its Length field.
func bodyLen(r *Record, timestampDelta int64, offsetDelta int32) int {
	n := 1 + varintLen(timestampDelta) + varintLen(int64(offsetDelta))
	n += bytesLen(r.Key) + bytesLen(r.Value)
	n += varintLen(int64(len(r.Headers)))
	for i := range r.Headers {
		h := &r.Headers[i]
		n += varintLen(int64(len(h.Key))) + len(h.Key) + bytesLen(h.Value)
	}
	return n
}

// bytesLen is the encoded size of a length-prefixed, nullable byte string.
func bytesLen(p []byte) int {
	if p == nil {
		return 1
	}
	return varintLen(int64(len(p))) + len(p)
}

// appendRecord appends the encoding of r.
func appendRecord(dst []byte, r *Record, timestampDelta int64, offsetDelta int32) []byte {
	dst = appendVarint(dst, int64(bodyLen(r, timestampDelta, offsetDelta)))
	dst = append(dst, 0) // attributes
	dst = appendVarint(dst, timestampDelta)
	dst = appendVarint(dst, int64(offsetDelta))
	dst = appendBytes(dst, r.Key)
	dst = appendBytes(dst, r.Value)
	dst = appendVarint(dst, int64(len(r.Headers)))
	for i := range r.Headers {
		h := &r.Headers[i]
		dst = appendVarint(dst, int64(len(h.Key)))
		dst = append(dst, h.Key...)
		dst = appendBytes(dst, h.Value)
	}
	return dst
}

func appendBytes(dst, p []byte) []byte {
	if p == nil {
		return append(dst, 1) // zig-zag of -1
	}
	dst = appendVarint(dst, int64(len(p)))
	return append(dst, p...)
}

// MaxEncodedSize is an upper bound on the bytes r takes in a batch, its
// length prefix included, whatever its offset and timestamp deltas: a
// producer uses it to decide whether a record still fits a batch before
// encoding it.
func MaxEncodedSize(r *Record) int {
	const maxDeltas = 10 + 5 // a 64-bit and a 32-bit varint at their longest
	body := bodyLen(r, 0, 0) - varintLen(0)*2 + maxDeltas
	return varintLen(int64(body)) + body
}
