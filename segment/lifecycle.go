package segment

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/index"
	"github.com/commitlog-go/commitlog/record"
)

// Recover reads the whole log file, checking every batch (CRC included)
// and that offsets increase from the base offset, rebuilds both indexes
// from what it read, and cuts the file at the first byte that is not part
// of a valid batch. It returns how many bytes it cut and leaves the segment
// active; the log seals it again if it is not the last.
//
// Two kinds of whole, valid batches are not cut. A first batch below the
// segment's base offset (ErrMisnamed) fails Recover with nothing changed:
// the file was renamed or holds another segment's bytes, and cutting it
// would delete good records. A batch whose offsets overflow the segment's
// 32-bit relative offsets, as a writer without that check could leave,
// fails it with an *OverflowError, the segment recovered up to that
// batch and the file left whole for [Segment.Split].
func (s *Segment) Recover() (truncated int64, err error) {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	info, err := s.file.Stat()
	if err != nil {
		return 0, fmt.Errorf("segment: recovering %d: %w", s.base, err)
	}
	fileSize := info.Size()
	// Before anything is changed, index files included.
	if err := s.checkName(fileSize); err != nil {
		return 0, fmt.Errorf("segment: recovering %d: %w", s.base, err)
	}
	if err := s.writableIndexesLocked(false); err != nil {
		return 0, err
	}
	oi, ti := s.offsetIdx.Load(), s.timeIdx.Load()
	oi.Reset()
	ti.Reset()

	s.iw.reset(s)
	s.rollTimestamp = NoTimestamp
	next := s.base
	bufp := recoverBufs.Get().(*[]byte)
	defer recoverBufs.Put(bufp)
	end, err := s.scan(*bufp, 0, fileSize, true, func(h batchHeader) error {
		if err := s.checkFollows(h, next); err != nil {
			return err
		}
		if h.position == 0 {
			s.rollTimestamp = h.maxTimestamp
		}
		next = h.lastOffset + 1
		return s.iw.add(oi, ti, h)
	})
	var overflow *OverflowError
	switch {
	case errors.As(err, &overflow):
		s.size.Store(end)
		s.nextOffset.Store(next)
		s.maxTimestamp.Store(s.iw.maxTimestamp)
		s.active.Store(true)
		s.verified.Store(true)
		return 0, err
	case err != nil && !errors.Is(err, record.ErrCorrupt) && !errors.Is(err, record.ErrTruncated):
		return 0, err // an I/O error: nothing is cut on its account
	}
	if end < fileSize {
		if err := s.file.Truncate(end); err != nil {
			return 0, fmt.Errorf("segment: cutting %d at %d: %w", s.base, end, err)
		}
		if err := s.file.Sync(); err != nil {
			return 0, fmt.Errorf("segment: cutting %d at %d: %w", s.base, end, err)
		}
	}
	s.size.Store(end)
	s.nextOffset.Store(next)
	s.maxTimestamp.Store(s.iw.maxTimestamp)
	s.active.Store(true)
	s.verified.Store(true)
	return fileSize - end, nil
}

// checkName fails with an error wrapping ErrMisnamed if the file begins
// with a whole, valid batch whose base offset is below the segment's base:
// damage of that kind is not a torn write, and recovery must not cut it.
func (s *Segment) checkName(fileSize int64) error {
	buf := make([]byte, checkNameBufSize)
	_, err := s.scan(buf, 0, fileSize, true, func(h batchHeader) error {
		if err := s.checkFollows(h, s.base); errors.Is(err, ErrMisnamed) {
			return err
		}
		return errStopScan
	})
	if errors.Is(err, ErrMisnamed) {
		return err
	}
	return nil // other damage is recovery's to cut
}

// Activate makes a segment that was opened, not created, the one the log
// appends to: it reads the batches after the last index entry to learn the
// next offset and largest timestamp. Bytes after the last whole batch
// (which a clean shutdown never leaves) make it fail with an error
// wrapping record.ErrCorrupt or record.ErrTruncated; the log then recovers
// the segment instead.
//
// When both index files are as a seal leaves them, Activate reads only
// their last entries; the indexes are loaded whole, and checked, by the
// first append or the first read that needs them, as a sealed segment's
// are. A partition that is opened and not written to never loads them:
// the offset index of a full 1 GiB segment of 11 KB batches is about
// 800 KB to read and decode. Otherwise the indexes are opened for writing at once.
func (s *Segment) Activate() error {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if s.offsetIdx.Load() == nil {
		if tail, ok := s.readIndexTails(); ok {
			return s.loadTailFrom(tail)
		}
	}
	if err := s.writableIndexesLocked(true); err != nil {
		return err
	}
	return s.loadTail()
}

// indexTails are the last entries of a segment's two indexes.
type indexTails struct {
	offset    index.OffsetEntry
	hasOffset bool
	time      index.TimeEntry
	hasTime   bool
}

// readIndexTails reads the last entry of each index file, reporting false
// when either file is not as a seal leaves it (or cannot be read): the
// caller then opens them whole, which checks and if need be rebuilds them.
func (s *Segment) readIndexTails() (indexTails, bool) {
	var t indexTails
	var err error
	if t.offset, t.hasOffset, err = index.ReadLastOffsetEntry(s.fsys, Path(s.dir, s.base, IndexExt), s.base); err != nil {
		return t, false
	}
	if t.time, t.hasTime, err = index.ReadLastTimeEntry(s.fsys, Path(s.dir, s.base, TimeIndexExt), s.base); err != nil {
		return t, false
	}
	return t, true
}

// writableIndexes makes the active segment's indexes ready for appending,
// loading them if Activate left them unread. The writer calls it before
// it adds entries; after a load it takes its state from the loaded
// indexes, which a rebuild of damaged files may have changed.
func (s *Segment) writableIndexes() error {
	if s.indexesWritable.Load() {
		return nil
	}
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if err := s.writableIndexesLocked(true); err != nil {
		return err
	}
	return s.loadTail()
}

// loadTail sets the writer state from the indexes' last entries and the
// batches after them.
func (s *Segment) loadTail() error {
	var t indexTails
	t.offset, t.hasOffset = s.offsetIdx.Load().Last()
	t.time, t.hasTime = s.timeIdx.Load().Last()
	return s.loadTailFrom(t)
}

// loadTailFrom sets the writer state from the indexes' last entries, t,
// and the batches after them.
func (s *Segment) loadTailFrom(t indexTails) error {
	s.iw.reset(s)
	s.rollTimestamp = NoTimestamp
	from := int64(0)
	next := s.base
	lastEntry, indexed := t.offset, t.hasOffset
	if indexed {
		from = lastEntry.Position
	}
	checked := !indexed
	if t.hasTime {
		s.iw.maxTimestamp, s.iw.offsetOfMaxTs = t.time.Timestamp, t.time.Offset
	}
	buf := make([]byte, locateBufSize)
	end, err := s.scan(buf, from, s.Size(), false, func(h batchHeader) error {
		if h.maxTimestamp > s.iw.maxTimestamp {
			s.iw.maxTimestamp, s.iw.offsetOfMaxTs = h.maxTimestamp, h.lastOffset
		}
		if err := s.checkFollows(h, next); err != nil {
			return err
		}
		if !checked {
			// The entry names the batch at its position by its last offset.
			if h.lastOffset != lastEntry.Offset {
				return fmt.Errorf("segment %d: %w: the last index entry (offset %d, position %d) is not the batch there (offsets %d to %d)",
					s.base, record.ErrCorrupt, lastEntry.Offset, lastEntry.Position, h.baseOffset, h.lastOffset)
			}
			checked = true
		}
		s.iw.sinceLastEntry += int(h.size)
		next = h.lastOffset + 1
		return nil
	})
	if err != nil {
		return err
	}
	if end != s.Size() {
		return fmt.Errorf("segment %d: %w: %d bytes after the last batch", s.base, record.ErrTruncated, s.Size()-end)
	}
	if !checked {
		return fmt.Errorf("segment %d: %w: the last index entry points at position %d, where no batch begins",
			s.base, record.ErrCorrupt, lastEntry.Position)
	}
	if s.Size() > 0 {
		var first [record.HeaderSize]byte
		if _, err := s.file.ReadAt(first[:], 0); err != nil {
			return fmt.Errorf("segment: reading %d: %w", s.base, err)
		}
		s.rollTimestamp = record.Batch(first[:]).MaxTimestamp()
	}
	s.nextOffset.Store(next)
	s.maxTimestamp.Store(s.iw.maxTimestamp)
	s.active.Store(true)
	s.verified.Store(true)
	return nil
}

// writableIndexesLocked makes the indexes ready for appending: opened for
// writing and preallocated. Indexes a reader opened read-only are reopened.
func (s *Segment) writableIndexesLocked(rebuild bool) error {
	if oi := s.offsetIdx.Load(); oi != nil && !s.indexesWritable.Load() {
		closeIndexes(oi, s.timeIdx.Load())
		s.offsetIdx.Store(nil)
		s.timeIdx.Store(nil)
	}
	if s.offsetIdx.Load() == nil {
		return s.openIndexesLocked(true, rebuild)
	}
	if err := s.offsetIdx.Load().Resize(s.opts.MaxIndexBytes); err != nil {
		return err
	}
	return s.timeIdx.Load().Resize(s.opts.MaxIndexBytes)
}

// TruncateTo removes the batch holding offset and every batch after it,
// and their index entries, leaving the segment active. The cut is synced
// before TruncateTo returns. Truncation is by
// whole batches: the segment's next offset afterwards is the base offset of
// the batch that held offset, which may be below offset.
func (s *Segment) TruncateTo(offset int64) error {
	s.indexMu.Lock()
	err := s.writableIndexesLocked(true)
	s.indexMu.Unlock()
	if err != nil {
		return err
	}
	// Not Locate: a truncation that a crash interrupted may find this
	// segment emptied, or not yet cut, and must still finish.
	pos, found, err := s.locate(offset, s.Size(), make([]byte, locateBufSize))
	if err != nil {
		return err
	}
	if !found {
		return s.Activate() // nothing at or after offset
	}
	if err := s.file.Truncate(pos.Position); err != nil {
		return fmt.Errorf("segment: truncating %d at %d: %w", s.base, pos.Position, err)
	}
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("segment: truncating %d at %d: %w", s.base, pos.Position, err)
	}
	s.size.Store(pos.Position)
	s.offsetIdx.Load().TruncateTo(pos.BaseOffset)
	s.timeIdx.Load().TruncateTo(pos.BaseOffset)
	if pos.Position == 0 {
		// Emptied: its age starts again with the next batch.
		s.created = s.opts.Now()
	}
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	return s.loadTail()
}

// Seal ends the segment's time as the active one: it writes the time
// index's final entry (the largest timestamp, in the slot kept for it) and
// writes both indexes trimmed to their entries.
func (s *Segment) Seal() error {
	if !s.active.Load() {
		return nil
	}
	if !s.indexesWritable.Load() {
		// Activated from sealed index files and not written to since:
		// the files are still as the last seal left them.
		s.active.Store(false)
		return nil
	}
	ti := s.timeIdx.Load()
	if err := s.iw.finish(ti); err != nil {
		return fmt.Errorf("segment: sealing %d: %w", s.base, err)
	}
	if err := s.offsetIdx.Load().Seal(); err != nil {
		return fmt.Errorf("segment: sealing %d: %w", s.base, err)
	}
	if err := ti.Seal(); err != nil {
		return fmt.Errorf("segment: sealing %d: %w", s.base, err)
	}
	s.active.Store(false)
	return nil
}

// Flush makes the segment's batches durable: an fsync of the log file. It
// may run while the writer appends; what it covers is at least every batch
// appended before it was called. The indexes are not synced: they are
// rebuilt from the batches by recovery, and written by Seal.
func (s *Segment) Flush() error {
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("segment: syncing %d: %w", s.base, err)
	}
	return nil
}
