package record

import (
	"fmt"

	"github.com/commitlog-go/commitlog/compress"
)

// DefaultMaxDecompressedSize bounds the records section an [Iterator]
// decompresses unless told otherwise: 64 MiB, 64 times Kafka's default
// largest batch.
const DefaultMaxDecompressedSize = 64 << 20

// Iterator decodes the records of a batch, one at a time, decompressing the
// records section first when the batch is compressed. It never panics on
// bad bytes and never allocates a length it has not checked against the
// bytes that remain; a record that does not parse ends the iteration with a
// *CorruptError.
//
// An Iterator keeps its buffers across [Iterator.Reset], so iterating many
// batches with one Iterator allocates nothing in steady state. The zero
// value is ready to use. An Iterator is not safe for concurrent use.
//
//	it.Reset(batch)
//	for it.Next() {
//		r := it.Record()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
type Iterator struct {
	batch   Batch
	section []byte // the uncompressed records section
	pos     int
	left    int32 // records the header says remain
	next    int32 // index of the next record, for errors
	prev    int64 // offset delta of the previous record
	started bool

	// Header fields every record needs, read once per batch.
	baseOffset    int64
	baseTimestamp int64
	maxTimestamp  int64
	lastDelta     int32
	logAppendTime bool

	record  Record
	headers []Header
	scratch []byte // decompressed records, reused across batches
	limit   int
	err     error
}

// SetMaxDecompressedSize bounds the size of a decompressed records section;
// a larger one ends the iteration with an error wrapping
// compress.ErrTooLarge. Zero or less means DefaultMaxDecompressedSize.
func (it *Iterator) SetMaxDecompressedSize(n int) { it.limit = n }

// Reset starts iterating over the records of b. The batch's bytes must stay
// unchanged until the iteration ends: records of an uncompressed batch point
// into them. Reset does not check the CRC; call [Batch.Validate] first on
// bytes that may be damaged.
func (it *Iterator) Reset(b Batch) {
	it.batch = b
	it.section = nil
	it.pos = 0
	it.left = 0
	it.next = 0
	it.prev = -1
	it.started = false
	it.err = nil
	if len(b) < HeaderSize || b.Size() != len(b) {
		it.err = fmt.Errorf("%w: iterating %d bytes that are not a whole batch", ErrCorrupt, len(b))
	}
}

// Next decodes the next record and reports whether there is one. When it
// returns false, [Iterator.Err] tells whether the batch ended cleanly.
func (it *Iterator) Next() bool {
	if !it.begin() {
		return false
	}
	if it.left == 0 {
		if it.pos != len(it.section) {
			it.fail("%d bytes after the last record", len(it.section)-it.pos)
		}
		return false
	}
	if !it.decode() {
		return false
	}
	it.left--
	it.next++
	return true
}

// Record returns the record Next decoded. It and its headers are
// overwritten by the next call to Next; [Record.Clone] keeps a copy.
func (it *Iterator) Record() *Record { return &it.record }

// Err returns the error that ended the iteration, or nil if every record
// decoded.
func (it *Iterator) Err() error { return it.err }

// begin starts the iteration on the first call, and reports whether it
// can go on.
func (it *Iterator) begin() bool {
	if it.err != nil {
		return false
	}
	if !it.started {
		it.started = true
		return it.start()
	}
	return true
}

// start checks the header fields the iteration relies on and decompresses
// the records section if needed.
func (it *Iterator) start() bool {
	b := it.batch
	count := b.RecordCount()
	if count < 0 {
		it.fail("negative record count %d", count)
		return false
	}
	it.left = count
	it.baseOffset = b.BaseOffset()
	it.baseTimestamp = b.BaseTimestamp()
	it.maxTimestamp = b.MaxTimestamp()
	it.lastDelta = b.LastOffsetDelta()
	it.logAppendTime = b.Attributes().TimestampType() == LogAppendTime
	section := b.RecordsSection()
	codec := b.Attributes().Codec()
	if codec == compress.None {
		it.section = section
		return true
	}
	limit := it.limit
	if limit <= 0 {
		limit = DefaultMaxDecompressedSize
	}
	out, err := codec.AppendDecompressed(it.scratch[:0], section, limit)
	if err != nil {
		it.err = &CorruptError{Pos: -1, BaseOffset: b.BaseOffset(), Reason: "decompressing records", Err: err}
		return false
	}
	it.scratch = out
	it.section = out
	return true
}

// decode parses the record at it.pos into it.record. Positions of -1 from
// the varint readers mean a field ran off the end of its record.
func (it *Iterator) decode() bool {
	section := it.section
	length, pos := varint32At(section, it.pos)
	if pos < 0 || length < minRecordSize-1 || int(length) > len(section)-pos {
		it.fail("record length")
		return false
	}
	end := pos + int(length)
	body := section[:end] // fields must end exactly at the record's end
	pos++                 // the record's attributes byte, unused by the format
	tsDelta, pos := varintAt(body, pos)
	offDelta, pos := varint32At(body, pos)
	if pos < 0 || int64(offDelta) <= it.prev || offDelta > it.lastDelta {
		it.fail("offset delta %d", offDelta)
		return false
	}
	r := &it.record
	r.Offset = it.baseOffset + int64(offDelta)
	r.Timestamp = it.baseTimestamp + tsDelta
	if it.logAppendTime {
		r.Timestamp = it.maxTimestamp
	}
	// Key and value are decoded here rather than by bytesAt, which is too
	// large for the compiler to inline: this loop is the hot path of every
	// read.
	keyLen, pos := varint32At(body, pos)
	if pos < 0 || keyLen < -1 || int(keyLen) > len(body)-pos {
		it.fail("key length")
		return false
	}
	r.Key = nil
	if keyLen >= 0 {
		r.Key = body[pos : pos+int(keyLen) : pos+int(keyLen)]
		pos += int(keyLen)
	}
	valueLen, pos := varint32At(body, pos)
	if pos < 0 || valueLen < -1 || int(valueLen) > len(body)-pos {
		it.fail("value length")
		return false
	}
	r.Value = nil
	if valueLen >= 0 {
		r.Value = body[pos : pos+int(valueLen) : pos+int(valueLen)]
		pos += int(valueLen)
	}
	if pos < len(body) && body[pos] == 0 { // no headers, the common case
		r.Headers = nil
		pos++
	} else if pos = it.decodeHeaders(body, pos); pos < 0 {
		return false
	}
	if pos != end {
		it.fail("record length %d, fields take %d", length, int(length)-(end-pos))
		return false
	}
	it.prev = int64(offDelta)
	it.pos = end
	return true
}

// decodeHeaders parses the header count and headers that start at pos,
// into it.record.Headers. It returns the position after them, or -1 after
// recording an error.
func (it *Iterator) decodeHeaders(body []byte, pos int) int {
	count, pos := varint32At(body, pos)
	// Every header takes at least minHeaderSize bytes, which bounds count
	// before anything is allocated for it.
	if pos < 0 || count < 0 || int(count) > (len(body)-pos)/minHeaderSize {
		it.fail("header count")
		return -1
	}
	if count == 0 {
		it.record.Headers = nil
		return pos
	}
	if cap(it.headers) < int(count) {
		it.headers = make([]Header, count)
	}
	headers := it.headers[:count]
	for i := range headers {
		var keyLen int32
		keyLen, pos = varint32At(body, pos)
		if pos < 0 || keyLen < 0 || int(keyLen) > len(body)-pos {
			it.fail("header %d key length", i)
			return -1
		}
		headers[i].Key = body[pos : pos+int(keyLen) : pos+int(keyLen)]
		pos += int(keyLen)
		if headers[i].Value, pos = bytesAt(body, pos); pos < 0 {
			it.fail("header %d value length", i)
			return -1
		}
	}
	it.record.Headers = headers
	return pos
}

// bytesAt reads the length-prefixed, nullable byte string at body[pos]. It
// returns the string (nil for length -1) and the position after it, or a
// position of -1 if the length is impossible.
func bytesAt(body []byte, pos int) ([]byte, int) {
	length, pos := varint32At(body, pos)
	switch {
	case pos < 0 || length < -1 || int(length) > len(body)-pos:
		return nil, -1
	case length == -1:
		return nil, pos
	}
	end := pos + int(length)
	return body[pos:end:end], end
}

func (it *Iterator) fail(format string, args ...any) {
	e := corruptf(it.batch, format, args...)
	e.Reason = fmt.Sprintf("record %d: %s", it.next, e.Reason)
	it.err = e
}
