package log

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/segment"
)

// TruncateTo removes every record at or after offset, as a follower does
// when its log has diverged from its leader's. Truncation is by whole
// batches: the batch holding offset goes entirely, so the log end
// afterwards is at or below offset (LogEndOffset says where). Segments
// after the one holding offset are deleted once their readers are done.
//
// An offset at or past the log end removes no record, but drops an entry
// at the log end from the leader-epoch history: one that SetLeaderEpoch
// recorded for an epoch whose records never came. An offset below the log
// start, or one whose batch begins below it, empties the log and restarts
// it at the log start or at offset, whichever is lower, as
// TruncateFullyAndStartAt does, so that the log start never passes the
// log end. Waiters past the new end are woken with an
// *OffsetOutOfRangeError. A negative offset is an *OffsetOutOfRangeError,
// and changes nothing.
//
// A truncation that fails part way (a file that cannot be cut or deleted)
// makes the log refuse writes until it is reopened; Open then carries the
// truncation out before anything else, so nothing appended afterwards is
// ever touched by it.
func (l *Log) TruncateTo(offset int64) error {
	if offset < 0 {
		return &OffsetOutOfRangeError{Offset: offset, LogStart: l.logStart.Load(), LogEnd: l.logEnd.Load()}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	if end := l.logEnd.Load(); offset >= end {
		if l.epochs.truncateFromEnd(end) {
			return l.saveEpochs()
		}
		return nil
	}
	return l.withIntent(truncateIntentFile, offset, l.truncateToLocked)
}

// Truncation touches several files; to make it all or nothing across a
// crash, it first writes its intent (the target offset) to a checkpoint
// file, and removes the file once done. Open finds an intent left by a
// crash and carries the truncation out before anything else.
const (
	truncateIntentFile      = "truncate-to-intent"
	truncateFullyIntentFile = "truncate-fully-intent"
)

// withIntent runs truncate(offset) between writing and removing the intent
// file name. Any failure fails the log: the intent stays on disk, and were
// the log to take appends, the next Open would replay the truncation over
// them.
func (l *Log) withIntent(name string, offset int64, truncate func(int64) error) error {
	fsys := l.opts.FS
	if err := writeOffsetCheckpoint(fsys, l.dir, name, offset); err != nil {
		return l.fail(err)
	}
	if err := truncate(offset); err != nil {
		return l.fail(err)
	}
	if err := fsys.Remove(filepath.Join(l.dir, name)); err != nil {
		return l.fail(err)
	}
	if err := fsys.SyncDir(l.dir); err != nil {
		return l.fail(err)
	}
	return nil
}

// finishIntents carries out a truncation a crash interrupted.
func (l *Log) finishIntents() error {
	if offset, ok, _ := l.readCheckpointAtOpen(truncateFullyIntentFile); ok {
		l.logger.Warn("finishing an interrupted truncation", "file", filepath.Join(l.dir, truncateFullyIntentFile), "offset", offset)
		if err := l.withIntent(truncateFullyIntentFile, offset, l.truncateFullyLocked); err != nil {
			return err
		}
	}
	if offset, ok, _ := l.readCheckpointAtOpen(truncateIntentFile); ok {
		l.logger.Warn("finishing an interrupted truncation", "file", filepath.Join(l.dir, truncateIntentFile), "offset", offset)
		return l.withIntent(truncateIntentFile, offset, l.truncateToLocked)
	}
	return nil
}

// truncateToLocked is TruncateTo's work, under mu. Open calls it too, to
// replay an intent a crash left, when the log may not be as a truncation
// starts: part cut, or, with the checkpointed log start above what is
// left, ending below its start.
func (l *Log) truncateToLocked(offset int64) error {
	start := l.logStart.Load()
	if offset < start {
		return l.truncateFullyLocked(offset)
	}
	if offset < l.logEnd.Load() {
		if err := l.cutTo(offset); err != nil {
			return err
		}
	}
	if l.logEnd.Load() < start {
		// The batch holding offset also held the log start, or the start
		// lay in a gap after the records kept: nothing at or after the
		// start is left.
		return l.truncateFullyLocked(start)
	}
	return nil
}

// cutTo cuts the segment holding offset before the batch holding it and
// deletes the segments after it.
func (l *Log) cutTo(offset int64) error {
	l.beginTruncation()
	defer l.endTruncation()
	list := l.segs.Load()
	i := list.find(offset)
	s := list.segs[i]
	if l.flush.recoveryPoint.Load() > s.BaseOffset() {
		// First, since an unclean Open trusts what lies below the
		// checkpoint unread: not the segment about to be cut, whose index
		// files on disk may still name the batches the cut removes, nor
		// offsets that will be written again.
		l.flush.recoveryPoint.Store(s.BaseOffset())
		if err := l.flush.checkpoint(); err != nil {
			return err
		}
	}
	if err := s.TruncateTo(offset); err != nil {
		return err
	}
	dropped := list.segs[i+1:]
	if len(dropped) > 0 {
		segs := make([]*segment.Segment, i+1)
		copy(segs, list.segs)
		l.segs.Store(&segmentList{segs: segs})
	}
	end := s.NextOffset()
	l.logEnd.Store(end)
	l.changes.Broadcast()
	if l.epochs.truncateFromEnd(end) {
		if err := l.saveEpochs(); err != nil {
			return err
		}
	}
	l.logger.Info("log truncated", "offset", offset, "log_end_offset", end, "segments_deleted", len(dropped))
	if err := l.deleteSegments(dropped); err != nil {
		return err
	}
	return nil
}

// TruncateFullyAndStartAt empties the log and restarts it at offset: every
// segment is deleted and a new, empty one begins at offset, which becomes
// both the log start and the log end. A follower does this when its leader
// no longer holds the records after the follower's end. A failure part way
// fails the log, as for TruncateTo.
func (l *Log) TruncateFullyAndStartAt(offset int64) error {
	if offset < 0 {
		return fmt.Errorf("log: cannot start at negative offset %d", offset)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	return l.withIntent(truncateFullyIntentFile, offset, l.truncateFullyLocked)
}

func (l *Log) truncateFullyLocked(offset int64) error {
	l.beginTruncation()
	defer l.endTruncation()
	old := l.segs.Load().segs
	// Unlink the old files before creating the new segment, which may take
	// the name of one of them. The list keeps its references until the new
	// segment replaces it, so that readers meanwhile find open segments.
	if err := l.removeSegmentFiles(old); err != nil {
		return err
	}
	if err := l.removeStraySegmentFiles(); err != nil {
		return err
	}
	s, err := l.createSegment(offset)
	if err != nil {
		return err
	}
	// A log start checkpointed before may lie past the new start.
	if err := writeOffsetCheckpoint(l.opts.FS, l.dir, logStartFile, offset); err != nil {
		s.Release()
		return err
	}
	l.segs.Store(&segmentList{segs: []*segment.Segment{s}})
	releaseAll(old)
	l.logStart.Store(offset)
	l.logEnd.Store(offset)
	l.flush.recoveryPoint.Store(offset)
	l.changes.Broadcast()
	if err := l.flush.checkpoint(); err != nil {
		return err
	}
	l.epochs.clear()
	l.logger.Info("log truncated fully", "offset", offset, "segments_deleted", len(old))
	return l.saveEpochs()
}

// removeSegmentFiles unlinks the files of segments dropped from the list,
// at once, so that the segments the log rolls next may take their names
// (they may have the same base offsets); readers still holding a dropped
// segment read on through its open log file. It returns the first
// failure, having tried every segment.
func (l *Log) removeSegmentFiles(segs []*segment.Segment) error {
	l.metrics.Add(metrics.SegmentDeletions, metrics.Labels{}, float64(len(segs)))
	var first error
	for _, s := range segs {
		if err := s.RemoveFilesNow(); err != nil && first == nil {
			first = fmt.Errorf("log: deleting segment %d: %w", s.BaseOffset(), err)
		}
	}
	return first
}

// removeStraySegmentFiles removes the segment files in the directory that
// belong to no segment of the log: what a failed removal of retention or
// DeleteRecordsBefore left below the log start, for Open to delete. A
// log that restarts below them must not take them back.
func (l *Log) removeStraySegmentFiles() error {
	names, err := l.opts.FS.List(l.dir)
	if err != nil {
		return fmt.Errorf("log: listing %s: %w", l.dir, err)
	}
	removed := false
	for _, name := range names {
		if _, _, ok := segment.ParseFileName(name); !ok {
			continue
		}
		if err := l.opts.FS.Remove(filepath.Join(l.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("log: removing %s: %w", name, err)
		}
		removed = true
	}
	if removed {
		return l.opts.FS.SyncDir(l.dir)
	}
	return nil
}

// deleteSegments unlinks the files of segments dropped from the list and
// drops the list's reference on them. Every segment is released, even when
// unlinking one fails.
func (l *Log) deleteSegments(segs []*segment.Segment) error {
	err := l.removeSegmentFiles(segs)
	for _, s := range segs {
		if rerr := s.Release(); rerr != nil && err == nil {
			err = fmt.Errorf("log: deleting segment %d: %w", s.BaseOffset(), rerr)
		}
	}
	return err
}
