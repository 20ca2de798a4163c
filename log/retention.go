package log

import (
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/segment"
)

// RetentionResult says what a retention pass deleted.
type RetentionResult struct {
	// Segments is how many segments were deleted, and Bytes their size.
	Segments int
	Bytes    int64
	// LogStartOffset is the log start after the pass.
	LogStartOffset int64
}

// NoRetentionBound, given to SetRetentionUpperBound, lets retention delete
// records up to the log end. A log opens with no bound.
const NoRetentionBound int64 = -1

// SetRetentionUpperBound keeps retention from deleting any record at or
// above offset: a partition passes its high watermark, so that records
// not yet committed are never deleted, and a bound of 0 deletes nothing.
// NoRetentionBound (or any negative offset) removes the bound.
func (l *Log) SetRetentionUpperBound(offset int64) {
	l.retentionBound.Store(max(offset, NoRetentionBound))
}

// EnforceRetention runs one retention pass now: it deletes, oldest first,
// the segments that are past Options.RetentionAge or that the log can do
// without and still hold Options.RetentionBytes. Only a prefix of segments
// goes, never a record at or above the retention upper bound, and the log
// start moves (and is checkpointed) before any file does. An active
// segment that is past its age is rolled first, so that it can go without
// the log end moving back.
//
// A segment's age is measured from its largest record timestamp. A
// segment whose timestamps lie in the future, by the log's clock, would
// otherwise never expire: its age is measured from when its file was last
// written instead.
func (l *Log) EnforceRetention() (RetentionResult, error) {
	res, err := l.enforceRetention()
	l.flush.runDue()
	return res, err
}

// enforceRetention is EnforceRetention under the writer lock.
func (l *Log) enforceRetention() (RetentionResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return RetentionResult{}, err
	}
	bound := l.logEnd.Load()
	if b := l.retentionBound.Load(); b != NoRetentionBound {
		bound = min(bound, b)
	}
	now := l.opts.Now()
	list := l.segs.Load()
	total := int64(0)
	for _, s := range list.segs {
		total += s.Size()
	}
	n := 0 // segments to delete: list.segs[:n]
	byAge, bySize := false, false
	for i, s := range list.segs {
		if s.Size() == 0 || (i+1 < len(list.segs) && list.segs[i+1].BaseOffset() > bound) ||
			(i+1 == len(list.segs) && l.logEnd.Load() > bound) {
			break // empty (the active, rolled already) or holds records at or above the bound
		}
		expired, err := l.expired(s, now)
		if err != nil {
			return RetentionResult{}, err
		}
		tooBig := l.opts.RetentionBytes > 0 && total-s.Size() >= l.opts.RetentionBytes
		if !expired && !tooBig {
			break
		}
		byAge, bySize = byAge || expired, bySize || tooBig
		total -= s.Size()
		n = i + 1
	}
	if n == 0 {
		// Nothing to delete, so nothing is written: an idle log stays
		// as its last clean Close left it.
		return RetentionResult{LogStartOffset: l.logStart.Load()}, nil
	}
	if err := l.writable(); err != nil {
		return RetentionResult{}, err
	}
	if n == len(list.segs) {
		// The active segment goes too: roll an empty one after it first.
		if err := l.roll(list, l.logEnd.Load(), "retention of the active segment"); err != nil {
			return RetentionResult{}, l.fail(err)
		}
		list = l.segs.Load()
	}
	res := RetentionResult{Segments: n}
	for _, s := range list.segs[:n] {
		res.Bytes += s.Size()
	}
	newStart := max(list.segs[n].BaseOffset(), l.logStart.Load())
	if err := writeOffsetCheckpoint(l.opts.FS, l.dir, logStartFile, newStart); err != nil {
		return RetentionResult{}, l.fail(err)
	}
	l.logStart.Store(newStart)
	if l.epochs.truncateFromStart(newStart) {
		if err := l.saveEpochs(); err != nil {
			return RetentionResult{}, err
		}
	}
	l.segs.Store(&segmentList{segs: append([]*segment.Segment(nil), list.segs[n:]...)})
	res.LogStartOffset = newStart
	reason := "age"
	switch {
	case byAge && bySize:
		reason = "age and size"
	case bySize:
		reason = "size"
	}
	l.logger.Info("retention deleted segments", "segments", n, "bytes", res.Bytes,
		"log_start_offset", newStart, "reason", reason)
	if err := l.deleteSegments(list.segs[:n]); err != nil {
		return res, fmt.Errorf("log: retention: %w", err)
	}
	return res, nil
}

// expired reports whether every record of s is older than RetentionAge.
func (l *Log) expired(s *segment.Segment, now time.Time) (bool, error) {
	if l.opts.RetentionAge < 0 {
		return false, nil
	}
	maxTS, err := s.MaxTimestamp()
	if err != nil {
		return false, err
	}
	anchor := time.UnixMilli(maxTS)
	if maxTS == segment.NoTimestamp || anchor.After(now) {
		if anchor, err = s.ModTime(); err != nil {
			return false, err
		}
	}
	return now.Sub(anchor) > l.opts.RetentionAge, nil
}
