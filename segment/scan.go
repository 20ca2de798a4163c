package segment

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/commitlog-go/commitlog/record"
)

// batchHeader is what the segment needs to know of a batch in its file.
type batchHeader struct {
	position     int64
	size         int32
	baseOffset   int64
	lastOffset   int64
	maxTimestamp int64
	leaderEpoch  int32
}

func headerOf(b record.Batch, position int64) batchHeader {
	return batchHeader{position: position, size: int32(b.Size()), baseOffset: b.BaseOffset(),
		lastOffset: b.LastOffset(), maxTimestamp: b.MaxTimestamp(), leaderEpoch: b.PartitionLeaderEpoch()}
}

// recoverBufs hold the buffers recovery and index rebuilds read whole
// segments with, so that recovering a thousand segments does not allocate
// (and zero) a thousand of them.
var recoverBufs = sync.Pool{New: func() any {
	b := make([]byte, recoverBufSize)
	return &b
}}

// errStopScan ends a scan early without an error.
var errStopScan = errors.New("segment: stop scan")

// Buffer sizes for reading the log file: small for finding one batch near
// an index entry, large for reading a whole segment.
const (
	locateBufSize    = 16 << 10
	recoverBufSize   = 1 << 20
	checkNameBufSize = 64 << 10
	firstHeaderChunk = 512
)

// scan walks the batches of the log file in [from, to), reading it into buf
// a chunk at a time, and calls fn for each whole batch. With verify it also
// checks every batch as record.Batch.Validate does, which recovery needs.
//
// It returns the position after the last batch fn accepted, and nil if the
// walk reached to; fn's error; or, at bytes that are not a whole valid
// batch, an error wrapping record.ErrCorrupt or record.ErrTruncated. A fn
// returning errStopScan ends the walk at that batch with no error.
func (s *Segment) scan(buf []byte, from, to int64, verify bool, fn func(batchHeader) error) (int64, error) {
	return s.scanWith(s.file.ReadAt, buf, from, to, verify, fn)
}

// scanMapped is scan reading through the segment's memory map, for reads
// that serve readers; recovery, activation and index rebuilds read with
// read calls, so that a partition opened and left idle maps nothing.
//
// It checks the offsets it hands fn, since readers trust them: each batch
// must lie within the segment's offsets and begin after the one before it
// in the walk. A batch that does not ends the walk with a
// *record.CorruptError; which of the two batches is damaged cannot be
// told, so the batch before it is not to be trusted either.
func (s *Segment) scanMapped(buf []byte, from, to int64, fn func(batchHeader) error) (int64, error) {
	next := s.base
	return s.scanWith(s.readAt, buf, from, to, false, func(h batchHeader) error {
		if err := s.checkFollows(h, next); err != nil {
			if !errors.Is(err, record.ErrCorrupt) {
				// An overflow, in a file the log wrote, is damage.
				err = &record.CorruptError{Pos: h.position, BaseOffset: h.baseOffset, Reason: "offsets out of the segment's reach", Err: err}
			}
			return err
		}
		next = h.lastOffset + 1
		return fn(h)
	})
}

func (s *Segment) scanWith(readAt func([]byte, int64) (int, error), buf []byte, from, to int64, verify bool, fn func(batchHeader) error) (int64, error) {
	pos := from
	// A walk of headers reads a small chunk first and doubles it each
	// time: the batch it looks for is often the first or second after
	// an index entry, and a large read would copy bytes it steps over.
	chunk := len(buf)
	if !verify {
		chunk = min(chunk, firstHeaderChunk)
	}
	for pos < to {
		n := int(min(int64(chunk), to-pos))
		chunk = min(2*chunk, len(buf))
		if _, err := readAt(buf[:n], pos); err != nil && !errors.Is(err, io.EOF) {
			return pos, fmt.Errorf("segment: reading %d at %d: %w", s.base, pos, err)
		}
		// off counts the bytes from pos taken by whole batches; it passes
		// n when a batch larger than buf was checked in pieces, or stepped
		// over by its header.
		off := 0
		for off < n {
			at := pos + int64(off)
			h, err := s.nextBatch(buf[off:n], off == 0, at, to, verify, buf)
			if err != nil {
				return at, err
			}
			if h.size == 0 {
				break // the batch runs past the chunk: read again from it
			}
			if err := fn(h); err != nil {
				if err == errStopScan {
					return at, nil
				}
				return at, err
			}
			off += int(h.size)
		}
		pos += int64(off)
	}
	return pos, nil
}

// nextBatch reads the batch at the start of rest, which lies at position at
// of the file. Without verify it needs only the batch's header in rest.
// With verify, it returns a header of size 0 when the batch continues past
// rest and rest is not the start of the chunk, so that the caller reads
// again from the batch. A batch longer than the whole chunk is checked in
// pieces with buf, which verifyLarge overwrites.
func (s *Segment) nextBatch(rest []byte, chunkStart bool, at, to int64, verify bool, buf []byte) (batchHeader, error) {
	if len(rest) < record.HeaderSize {
		if at+int64(len(rest)) >= to || chunkStart {
			return batchHeader{}, fmt.Errorf("segment %d: %w: %d bytes at %d, less than a batch header",
				s.base, record.ErrTruncated, to-at, at)
		}
		return batchHeader{}, nil
	}
	if !verify {
		// Headers are all a walk needs: step over a batch that runs past
		// the chunk rather than read it again.
		head, err := record.ParseHeader(rest)
		if err != nil {
			return batchHeader{}, positioned(err, s.base, at)
		}
		if size := head.Size(); at+int64(size) > to {
			// Below to lie only whole batches, unless the file was torn or
			// damaged: corrupt, and truncated for callers that read a
			// crashed tail.
			return batchHeader{}, fmt.Errorf("segment %d: %w", s.base, &record.CorruptError{Pos: at, BaseOffset: head.BaseOffset(),
				Reason: fmt.Sprintf("batch of %d bytes runs past the segment's end", size), Err: record.ErrTruncated})
		}
		return headerOf(head, at), nil
	}
	b, err := record.Parse(rest)
	if err == nil {
		if verify {
			if err := b.Validate(); err != nil {
				return batchHeader{}, positioned(err, s.base, at)
			}
		}
		return headerOf(b, at), nil
	}
	if !errors.Is(err, record.ErrTruncated) {
		return batchHeader{}, positioned(err, s.base, at)
	}
	size := record.Batch(rest).Size()
	if at+int64(size) > to {
		return batchHeader{}, fmt.Errorf("segment %d: %w: batch of %d bytes at %d runs past the end at %d",
			s.base, record.ErrTruncated, size, at, to)
	}
	if !chunkStart {
		return batchHeader{}, nil
	}
	var head [record.HeaderSize]byte
	copy(head[:], rest)
	h := headerOf(record.Batch(head[:]), at)
	if verify {
		if err := s.verifyLarge(buf, record.Batch(head[:]), at, size); err != nil {
			return batchHeader{}, err
		}
	}
	return h, nil
}

// checkFollows checks that a batch's offsets may follow next in the
// segment, as every walk that trusts offsets (recovery, activation, index
// rebuilds) requires: a first batch below the segment's base offset is
// ErrMisnamed, offsets that go back are corrupt, and offsets past the
// indexes' 32-bit reach are an *OverflowError. The first two come as a
// *record.CorruptError.
func (s *Segment) checkFollows(h batchHeader, next int64) error {
	switch {
	case h.position == 0 && h.baseOffset >= 0 && h.baseOffset < s.base:
		return &record.CorruptError{Pos: h.position, BaseOffset: h.baseOffset, Err: ErrMisnamed,
			Reason: fmt.Sprintf("segment %s begins with offsets %d-%d", s.logPath(), h.baseOffset, h.lastOffset)}
	case h.baseOffset < next:
		return &record.CorruptError{Pos: h.position, BaseOffset: h.baseOffset,
			Reason: fmt.Sprintf("offsets %d-%d do not follow %d in segment %s", h.baseOffset, h.lastOffset, next, s.logPath())}
	case !s.CanHoldOffset(h.lastOffset):
		return &OverflowError{Path: s.logPath(), Pos: h.position, BaseOffset: h.baseOffset, LastOffset: h.lastOffset}
	}
	return nil
}

// positioned adds the segment and file position to a batch error.
func positioned(err error, base, pos int64) error {
	var ce *record.CorruptError
	if errors.As(err, &ce) {
		ce.Pos = pos
		return fmt.Errorf("segment %d: %w", base, err)
	}
	return fmt.Errorf("segment %d at %d: %w", base, pos, err)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// verifyLarge checks a batch too large for buf without holding it whole:
// the magic and counts from its header, which head holds, then the CRC,
// reading the batch into buf a piece at a time.
func (s *Segment) verifyLarge(buf []byte, head record.Batch, at int64, size int) error {
	corrupt := func(reason string, err error) error {
		return &record.CorruptError{Pos: at, BaseOffset: head.BaseOffset(), Reason: reason, Err: err}
	}
	if m := head.Magic(); m != record.Magic {
		return corrupt(fmt.Sprintf("magic %d", m), record.ErrUnsupportedMagic)
	}
	if c, d := head.RecordCount(), head.LastOffsetDelta(); c < 0 || d < -1 || int64(c) > int64(d)+1 {
		return corrupt(fmt.Sprintf("%d records in an offset span of %d", c, int64(d)+1), nil)
	}
	const crcStart = 21 // attributes onwards; see record/format.go
	var crc uint32
	for p := int64(crcStart); p < int64(size); {
		n := int(min(int64(len(buf)), int64(size)-p))
		if _, err := s.file.ReadAt(buf[:n], at+p); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("segment: reading %d at %d: %w", s.base, at+p, err)
		}
		crc = crc32.Update(crc, castagnoli, buf[:n])
		p += int64(n)
	}
	if want := head.CRC(); crc != want {
		return corrupt(fmt.Sprintf("crc mismatch: stored %#08x, computed %#08x", want, crc), nil)
	}
	return nil
}
