package record

import (
	"fmt"

	"github.com/commitlog-go/commitlog/compress"
)

// Parse returns the batch at the start of p, which may hold more bytes
// after it. It checks only what it needs to find the batch's end: that the
// length is possible, that the magic is 2 and that p holds the whole batch;
// [Batch.Validate] checks the rest.
//
// If p ends inside the batch, Parse returns an error wrapping ErrTruncated;
// if the header is impossible, a *CorruptError.
func Parse(p []byte) (Batch, error) {
	if len(p) < LogOverhead {
		return nil, fmt.Errorf("%w: %d bytes, need %d for the length", ErrTruncated, len(p), LogOverhead)
	}
	b := Batch(p)
	if err := b.checkFraming(); err != nil {
		return nil, err
	}
	size := b.Size()
	if len(p) < size {
		return nil, fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(p), size)
	}
	return b[:size:size], nil
}

// ParseHeader returns the header of the batch at the start of p, which
// needs to hold only the header: HeaderSize bytes. It checks what Parse
// checks but that the whole batch is there, so that a reader looking for
// one batch can step over others knowing only their headers. The Batch it
// returns has only the header's accessors; its Size is the whole batch's.
//
// If p is shorter than a header, ParseHeader returns an error wrapping
// ErrTruncated; if the header is impossible, a *CorruptError.
func ParseHeader(p []byte) (Batch, error) {
	if len(p) < HeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, need %d for the header", ErrTruncated, len(p), HeaderSize)
	}
	b := Batch(p[:HeaderSize:HeaderSize])
	if err := b.checkFraming(); err != nil {
		return nil, err
	}
	return b, nil
}

// checkFraming checks the length and, if b reaches it, the magic: what
// it takes to trust the batch's Size.
func (b Batch) checkFraming() error {
	if length := b.Length(); length < HeaderSize-LogOverhead {
		return &CorruptError{Pos: -1, BaseOffset: b.BaseOffset(),
			Reason: fmt.Sprintf("length %d is below the %d-byte header", length, HeaderSize-LogOverhead)}
	}
	if len(b) > magicOffset {
		if m := b.Magic(); m != Magic {
			return &CorruptError{Pos: -1, BaseOffset: b.BaseOffset(),
				Reason: fmt.Sprintf("magic %d", m), Err: ErrUnsupportedMagic}
		}
	}
	return nil
}

// Validate checks everything about the batch that can be checked without
// decompressing it: its size against its Length field, the magic, the CRC,
// the codec, the record count against LastOffsetDelta and, for an
// uncompressed batch, that the records' lengths add up to the records
// section. Errors wrap ErrCorrupt (a *CorruptError) or ErrTruncated.
//
// A batch that passes can be iterated; an [Iterator] still checks each
// record as it decodes it.
func (b Batch) Validate() error {
	if len(b) < HeaderSize {
		return fmt.Errorf("%w: %d bytes, need %d for the header", ErrTruncated, len(b), HeaderSize)
	}
	if size := b.Size(); size != len(b) {
		if size > len(b) {
			return fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(b), size)
		}
		return corruptf(b, "length field says %d bytes, batch has %d", size, len(b))
	}
	if m := b.Magic(); m != Magic {
		e := corruptf(b, "magic %d", m)
		e.Err = ErrUnsupportedMagic
		return e
	}
	if stored, computed := b.CRC(), b.ComputeCRC(); stored != computed {
		return corruptf(b, "crc mismatch: stored %#08x, computed %#08x", stored, computed)
	}
	codec := b.Attributes().Codec()
	if !codec.Valid() {
		e := corruptf(b, "codec %d", codec)
		e.Err = compress.ErrUnknownCodec
		return e
	}
	count, delta := b.RecordCount(), b.LastOffsetDelta()
	switch {
	case count < 0:
		return corruptf(b, "negative record count %d", count)
	case delta < -1 || (count > 0 && delta < 0):
		return corruptf(b, "last offset delta %d", delta)
	case int64(count) > int64(delta)+1:
		return corruptf(b, "%d records in an offset span of %d", count, int64(delta)+1)
	case b.BaseOffset() < 0:
		return corruptf(b, "negative base offset")
	case delta > 0 && b.BaseOffset() > maxOffset-int64(delta):
		return corruptf(b, "last offset overflows int64")
	}
	section := b.RecordsSection()
	if codec != compress.None {
		if count > 0 && len(section) == 0 {
			return corruptf(b, "%d records in an empty compressed section", count)
		}
		return nil
	}
	return b.checkFrames(section, count)
}

// maxOffset is the largest offset a record can have.
const maxOffset = 1<<63 - 1

// checkFrames walks the length prefixes of an uncompressed records section
// and checks that exactly count records fill it.
func (b Batch) checkFrames(section []byte, count int32) error {
	var n int32
	for pos := 0; pos < len(section); n++ {
		if n == count {
			return corruptf(b, "%d bytes after the last of %d records", len(section)-pos, count)
		}
		length, next := varint32At(section, pos)
		if next < 0 || length < minRecordSize-1 || int(length) > len(section)-next {
			return corruptf(b, "record %d: bad length", n)
		}
		pos = next + int(length)
	}
	if n != count {
		return corruptf(b, "records section holds %d records, header says %d", n, count)
	}
	return nil
}

// SetLogAppendTime marks the batch's timestamps as the log's and sets its
// MaxTimestamp to ts, recomputing the CRC, which covers both.
func (b Batch) SetLogAppendTime(ts int64) {
	attrs := setFlag(b.Attributes(), logAppendTimeFlag, true)
	be.PutUint16(b[attributesOffset:], uint16(attrs))
	be.PutUint64(b[maxTimestampOffset:], uint64(ts))
	be.PutUint32(b[crcOffset:], b.ComputeCRC())
}
