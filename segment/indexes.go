package segment

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/commitlog-go/commitlog/index"
	"github.com/commitlog-go/commitlog/record"
)

// openIndexes opens both index files; writable ones are preallocated for
// appending. A corrupt index file is removed and rebuilt from the log.
func (s *Segment) openIndexes(writable bool) error {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	return s.openIndexesLocked(writable, true)
}

// openIndexesLocked opens the indexes. A corrupt or (for reading) missing
// index file is replaced by an empty one, filled from the log file if
// rebuild is set; Recover, which fills them itself, passes false.
func (s *Segment) openIndexesLocked(writable, rebuild bool) error {
	oi, ti, err := s.tryOpenIndexes(writable)
	if errors.Is(err, index.ErrCorrupt) || (!writable && isNotExist(err)) {
		// The indexes hold nothing the log does not: start them afresh
		// and fill them from the batches.
		for _, ext := range []string{IndexExt, TimeIndexExt} {
			if rerr := s.fsys.Remove(Path(s.dir, s.base, ext)); rerr != nil && !isNotExist(rerr) {
				return fmt.Errorf("segment: removing corrupt index of %d: %w", s.base, rerr)
			}
		}
		if oi, ti, err = s.tryOpenIndexes(true); err == nil && rebuild {
			err = s.rebuildIndexes(oi, ti)
		}
		if err == nil && !writable {
			if err = oi.Seal(); err == nil {
				err = ti.Seal()
			}
		}
		if err != nil {
			closeIndexes(oi, ti)
		}
	}
	if err != nil {
		return err
	}
	s.offsetIdx.Store(oi)
	s.timeIdx.Store(ti)
	s.indexesWritable.Store(writable)
	return nil
}

func (s *Segment) tryOpenIndexes(writable bool) (*index.OffsetIndex, *index.TimeIndex, error) {
	oi, err := index.OpenOffsetIndex(s.fsys, Path(s.dir, s.base, IndexExt), s.base, s.opts.MaxIndexBytes, writable)
	if err != nil {
		return nil, nil, err
	}
	ti, err := index.OpenTimeIndex(s.fsys, Path(s.dir, s.base, TimeIndexExt), s.base, s.opts.MaxIndexBytes, writable)
	if err != nil {
		oi.Close()
		return nil, nil, err
	}
	return oi, ti, nil
}

func closeIndexes(oi *index.OffsetIndex, ti *index.TimeIndex) {
	if oi != nil {
		oi.Close()
	}
	if ti != nil {
		ti.Close()
	}
}

// offsetIndex returns the offset index, opening it on first use.
func (s *Segment) offsetIndex() (*index.OffsetIndex, error) {
	if oi := s.offsetIdx.Load(); oi != nil {
		return oi, nil
	}
	if err := s.openLazily(); err != nil {
		return nil, err
	}
	return s.offsetIdx.Load(), nil
}

// timeIndex returns the time index, opening it on first use.
func (s *Segment) timeIndex() (*index.TimeIndex, error) {
	if ti := s.timeIdx.Load(); ti != nil {
		return ti, nil
	}
	if err := s.openLazily(); err != nil {
		return nil, err
	}
	return s.timeIdx.Load(), nil
}

func (s *Segment) openLazily() error {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if s.offsetIdx.Load() != nil {
		return nil
	}
	s.closeMu.Lock()
	closed := s.closed
	s.closeMu.Unlock()
	if closed || s.removed.Load() {
		return ErrClosed
	}
	return s.openIndexesLocked(false, true)
}

// rebuildIndexes fills empty indexes from the batches in the log file, as
// appends would have, up to the first damaged batch, if any: reads stop
// there anyway, and recovery is what cuts it.
func (s *Segment) rebuildIndexes(oi *index.OffsetIndex, ti *index.TimeIndex) error {
	var w indexWriter
	w.reset(s)
	bufp := recoverBufs.Get().(*[]byte)
	defer recoverBufs.Put(bufp)
	next := s.base
	_, err := s.scan(*bufp, 0, s.Size(), false, func(h batchHeader) error {
		if s.checkFollows(h, next) != nil {
			return errStopScan // damage: reads stop here too
		}
		next = h.lastOffset + 1
		return w.add(oi, ti, h)
	})
	if err != nil && !errors.Is(err, record.ErrCorrupt) && !errors.Is(err, record.ErrTruncated) {
		return err
	}
	return w.finish(ti)
}

// indexWriter adds index entries as batches are appended or rescanned: an
// offset index entry (the batch's last offset, its position) whenever more
// than IndexIntervalBytes were appended since the last one, and with it a
// time index entry for the largest timestamp so far.
type indexWriter struct {
	interval       int
	sinceLastEntry int
	maxTimestamp   int64
	offsetOfMaxTs  int64
}

func (w *indexWriter) reset(s *Segment) {
	*w = indexWriter{interval: s.opts.IndexIntervalBytes, maxTimestamp: NoTimestamp, offsetOfMaxTs: s.base}
}

func (w *indexWriter) add(oi *index.OffsetIndex, ti *index.TimeIndex, h batchHeader) error {
	if h.maxTimestamp > w.maxTimestamp {
		w.maxTimestamp = h.maxTimestamp
		w.offsetOfMaxTs = h.lastOffset
	}
	if w.sinceLastEntry > w.interval {
		if err := oi.Append(h.lastOffset, h.position); err != nil {
			return err
		}
		if w.maxTimestamp != NoTimestamp {
			if err := ti.Append(w.maxTimestamp, w.offsetOfMaxTs, false); err != nil {
				return err
			}
		}
		w.sinceLastEntry = 0
	}
	w.sinceLastEntry += int(h.size)
	return nil
}

// finish writes the time index's last entry, the one kept free for it, so
// that the segment's largest timestamp is on disk.
func (w *indexWriter) finish(ti *index.TimeIndex) error {
	if w.maxTimestamp == NoTimestamp {
		return nil
	}
	return ti.Append(w.maxTimestamp, w.offsetOfMaxTs, true)
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
