package segment

import (
	"fmt"

	"github.com/commitlog-go/commitlog/vfs"
)

// BatchPosition locates a batch in the log file.
type BatchPosition struct {
	// Position is the batch's byte position in the log file.
	Position int64
	// Size is the batch's size in bytes.
	Size int32
	// BaseOffset and LastOffset are the batch's first and last offsets.
	BaseOffset, LastOffset int64
	// MaxTimestamp is the batch's largest timestamp.
	MaxTimestamp int64
	// LeaderEpoch is the epoch of the leader that appended the batch.
	LeaderEpoch int32
}

func (h batchHeader) public() BatchPosition {
	return BatchPosition{Position: h.position, Size: h.size, BaseOffset: h.baseOffset,
		LastOffset: h.lastOffset, MaxTimestamp: h.maxTimestamp, LeaderEpoch: h.leaderEpoch}
}

// Locate finds the first batch whose last offset is at or above offset,
// looking no further than the byte position limit (normally Size()). It
// starts from the offset index's nearest entry and walks batch headers
// from there, reading the file into buf, which should hold a few index
// intervals. found is false when every batch before limit ends below
// offset. A sealed segment is verified first (see [Segment.Verify]);
// offsets that do not follow one another in the walk, or a batch that is
// not the one its index entry names, are an error wrapping
// record.ErrCorrupt.
func (s *Segment) Locate(offset, limit int64, buf []byte) (pos BatchPosition, found bool, err error) {
	if err := s.Verify(); err != nil {
		return BatchPosition{}, false, err
	}
	return s.locate(offset, limit, buf)
}

func (s *Segment) locate(offset, limit int64, buf []byte) (pos BatchPosition, found bool, err error) {
	oi, err := s.offsetIndex()
	if err != nil {
		return BatchPosition{}, false, err
	}
	entry := oi.Lookup(offset)
	from := min(entry.Position, limit)
	first := from > 0
	_, err = s.scanMapped(buf, from, limit, func(h batchHeader) error {
		if first && h.lastOffset != entry.Offset {
			// The batch an index entry points at must be the one it
			// names: a base offset, which no CRC covers, may have been
			// damaged.
			return s.corrupt(h.position, h.baseOffset, fmt.Sprintf(
				"the offset index entry for offset %d points at a batch of offsets %d-%d", entry.Offset, h.baseOffset, h.lastOffset), nil)
		}
		first = false
		if h.lastOffset >= offset {
			pos, found = h.public(), true
			return errStopScan
		}
		return nil
	})
	return pos, found, err
}

// Batches calls fn for each batch from position from up to limit, in
// order, until fn returns false. It reads the file into buf. Offsets that
// do not follow one another end the walk with an error wrapping
// record.ErrCorrupt.
func (s *Segment) Batches(from, limit int64, buf []byte, fn func(BatchPosition) bool) error {
	if err := s.Verify(); err != nil {
		return err
	}
	_, err := s.scanMapped(buf, from, limit, func(h batchHeader) error {
		if !fn(h.public()) {
			return errStopScan
		}
		return nil
	})
	return err
}

// ReadAt reads bytes of the log file. The caller must hold a reference
// (see [Segment.Retain]) or otherwise know the segment is open.
func (s *Segment) ReadAt(p []byte, off int64) (int, error) { return s.readAt(p, off) }

// File is the log file, for callers that want to serve a section of it
// without copying (an [vfs.OSFile] can be handed to sendfile). The same
// reference rule as for ReadAt applies.
func (s *Segment) File() vfs.File { return s.file }
