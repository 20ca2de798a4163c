package segment

import (
	"errors"
	"fmt"
	"io"

	"github.com/commitlog-go/commitlog/record"
)

// Split moves the batches from byte pos of the log file on into a new
// segment named by the base offset of the batch there, and returns it,
// opened and not yet read. It is for a segment whose offsets overflow its
// 32-bit relative offsets (an *OverflowError from Recover, which leaves
// the segment recovered up to pos), as Kafka splits such a legacy segment;
// the new segment may overflow in turn and be split again.
//
// Split is crash-safe. The new log file is written under a temporary name
// (which Open of a log removes), synced, and renamed into place, replacing
// one an interrupted split left, before this segment's file is cut at pos
// and synced: a crash before the cut leaves every batch in this segment,
// which the next recovery splits again. A split at byte 0 moves every
// batch, and leaves this segment empty for the caller to delete.
func (s *Segment) Split(pos int64) (*Segment, error) {
	info, err := s.file.Stat()
	if err != nil {
		return nil, fmt.Errorf("segment: splitting %d: %w", s.base, err)
	}
	size := info.Size()
	var head [record.HeaderSize]byte
	if _, err := s.file.ReadAt(head[:], pos); err != nil {
		return nil, fmt.Errorf("segment: splitting %d at %d: %w", s.base, pos, err)
	}
	base := record.Batch(head[:]).BaseOffset()
	if base <= s.base || pos >= size {
		return nil, fmt.Errorf("segment: cannot split %d at byte %d (offset %d)", s.base, pos, base)
	}
	name := Path(s.dir, base, LogExt)
	tmp := name + ".tmp"
	if err := s.copyTo(tmp, pos, size); err != nil {
		s.fsys.Remove(tmp)
		return nil, fmt.Errorf("segment: splitting %d at %d: %w", s.base, pos, err)
	}
	if err := s.fsys.Rename(tmp, name); err != nil {
		s.fsys.Remove(tmp)
		return nil, fmt.Errorf("segment: splitting %d at %d: %w", s.base, pos, err)
	}
	if err := s.fsys.SyncDir(s.dir); err != nil {
		return nil, fmt.Errorf("segment: splitting %d at %d: %w", s.base, pos, err)
	}
	if err := s.file.Truncate(pos); err != nil {
		return nil, fmt.Errorf("segment: cutting %d at %d after a split: %w", s.base, pos, err)
	}
	if err := s.file.Sync(); err != nil {
		return nil, fmt.Errorf("segment: cutting %d at %d after a split: %w", s.base, pos, err)
	}
	s.size.Store(pos)
	return Open(s.fsys, s.dir, base, s.opts)
}

// copyTo writes the bytes [from, to) of the log file to a new file name
// and syncs it.
func (s *Segment) copyTo(name string, from, to int64) error {
	f, err := s.fsys.Create(name)
	if err != nil {
		return err
	}
	buf := make([]byte, min(recoverBufSize, to-from))
	for off := from; off < to; {
		n, err := s.file.ReadAt(buf[:min(int64(len(buf)), to-off)], off)
		if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
			f.Close()
			return err
		}
		if _, err := f.WriteAt(buf[:n], off-from); err != nil {
			f.Close()
			return err
		}
		off += int64(n)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// FirstBatch returns the position of the first batch in the log file, read
// from its header alone: nothing in it is checked. found is false for an
// empty file, or one too short for a header.
func (s *Segment) FirstBatch() (pos BatchPosition, found bool, err error) {
	var head [record.HeaderSize]byte
	n, err := s.file.ReadAt(head[:], 0)
	if n < len(head) {
		if err == nil || errors.Is(err, io.EOF) {
			return BatchPosition{}, false, nil
		}
		return BatchPosition{}, false, fmt.Errorf("segment: reading %d: %w", s.base, err)
	}
	return headerOf(record.Batch(head[:]), 0).public(), true, nil
}
