package segment

import (
	"fmt"

	"github.com/commitlog-go/commitlog/record"
)

// Append writes batches at the end of the active segment with one write
// call, then adds their index entries and publishes the new size to
// readers. data must be whole batches that passed record.Batch.Validate,
// with offsets that follow the segment's next offset and that
// [Segment.CanHoldOffset]; the log checks all of this before it calls
// Append, and also that the indexes have room ([Segment.IndexRoom]).
// Append checks the offsets again itself: a batch the segment cannot hold
// fails the append with an *OverflowError, and nothing is written.
//
// On a write error the segment's size is unchanged, but bytes past it may
// have reached the file; the log must stop appending (recovery cuts them).
func (s *Segment) Append(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if !s.active.Load() {
		return fmt.Errorf("segment: append to sealed segment %d", s.base)
	}
	if err := s.writableIndexes(); err != nil {
		return err
	}
	first := record.Batch(data)
	if first.BaseOffset() < s.NextOffset() {
		return fmt.Errorf("%w: segment %d: append at offset %d, next is %d", ErrOutOfOrder, s.base, first.BaseOffset(), s.NextOffset())
	}
	pos := s.size.Load()
	// Every batch must fit the indexes' relative offsets: one that did not
	// would be written, then cut by the next recovery. Nothing is written
	// unless all of them fit.
	for off := 0; off < len(data); off += record.Batch(data[off:]).Size() {
		if b := record.Batch(data[off:]); !s.CanHoldOffset(b.BaseOffset()) || !s.CanHoldOffset(b.LastOffset()) {
			return &OverflowError{Path: s.logPath(), Pos: pos + int64(off), BaseOffset: b.BaseOffset(), LastOffset: b.LastOffset()}
		}
	}
	if _, err := s.file.WriteAt(data, pos); err != nil {
		return fmt.Errorf("segment: writing %d at %d: %w", s.base, pos, err)
	}
	oi, ti := s.offsetIdx.Load(), s.timeIdx.Load()
	var last record.Batch
	for off := 0; off < len(data); {
		b := record.Batch(data[off:])
		h := headerOf(b, pos+int64(off))
		if pos == 0 && off == 0 {
			s.rollTimestamp = h.maxTimestamp
		}
		if err := s.iw.add(oi, ti, h); err != nil {
			return fmt.Errorf("segment: indexing %d: %w", s.base, err)
		}
		last = b
		off += int(h.size)
	}
	s.maxTimestamp.Store(s.iw.maxTimestamp)
	s.nextOffset.Store(last.NextOffset())
	s.size.Store(pos + int64(len(data)))
	return nil
}
