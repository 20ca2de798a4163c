package segment

import (
	"fmt"

	"github.com/commitlog-go/commitlog/record"
)

// Verify checks, once, that a segment opened without being read agrees
// with its name and its indexes, as far as that can be known without
// reading it whole, and learns its next offset: the file is not empty;
// its first batch begins at or after the base offset (ErrMisnamed if
// not); the batch at the offset index's last entry is the one the entry
// names, and the batches from there to the end follow one another and end
// exactly at the end of the file; the time index's last entry names an
// offset within the segment. Errors wrap record.ErrCorrupt (or
// record.ErrTruncated for bytes after the last whole batch) and name the
// file and position.
//
// Reads call Verify before they trust a sealed segment that was opened
// lazily; a segment that was created, recovered or activated was checked
// then, and Verify returns nil at once. A log trusts sealed segments
// unread after a clean shutdown, and below the recovery point after an
// unclean one, so this is where damage to them (a truncated or emptied
// file, one that holds another segment's bytes) is found rather than read
// as a gap.
func (s *Segment) Verify() error {
	if s.verified.Load() {
		return nil
	}
	s.verifyMu.Lock()
	defer s.verifyMu.Unlock()
	if s.verified.Load() {
		return nil
	}
	size := s.Size()
	if size == 0 {
		return s.corrupt(0, -1, "sealed segment is empty", nil)
	}
	oi, err := s.offsetIndex()
	if err != nil {
		return err
	}
	ti, err := s.timeIndex()
	if err != nil {
		return err
	}
	buf := make([]byte, locateBufSize)
	// The first batch, against the name.
	if _, err := s.scanMapped(buf, 0, size, func(batchHeader) error { return errStopScan }); err != nil {
		return err
	}
	// The tail, from the last index entry.
	entry, indexed := oi.Last()
	from, next := int64(0), s.base
	if indexed {
		from = entry.Position
	}
	checked := !indexed
	end, err := s.scanMapped(buf, from, size, func(h batchHeader) error {
		if !checked {
			if h.lastOffset != entry.Offset {
				return s.corrupt(h.position, h.baseOffset, fmt.Sprintf(
					"the last offset index entry (offset %d) names another batch than the one at its position (offsets %d-%d)",
					entry.Offset, h.baseOffset, h.lastOffset), nil)
			}
			checked = true
		}
		next = h.lastOffset + 1
		return nil
	})
	if err != nil {
		return err
	}
	if end != size || !checked {
		return s.corrupt(end, -1, fmt.Sprintf("no whole batch at byte %d of %d, where the offset index's last entry points or the batches lead", end, size), record.ErrTruncated)
	}
	if last, ok := ti.Last(); ok && (last.Offset < s.base || last.Offset >= next) {
		return s.corrupt(end, -1, fmt.Sprintf("the time index's last entry names offset %d, outside the segment's offsets %d-%d",
			last.Offset, s.base, next-1), nil)
	}
	s.nextOffset.Store(next)
	s.verified.Store(true)
	return nil
}

// corrupt returns a *record.CorruptError about the segment's log file at
// pos, wrapped with the file's name.
func (s *Segment) corrupt(pos, baseOffset int64, reason string, cause error) error {
	return fmt.Errorf("segment %s: %w", s.logPath(),
		&record.CorruptError{Pos: pos, BaseOffset: baseOffset, Reason: reason, Err: cause})
}
