package log

import (
	"fmt"
	"path/filepath"

	"github.com/commitlog-go/commitlog/segment"
)

// TruncateTo removes every record at or after offset, as a follower does
// when its log has diverged from its leader's. Truncation is by whole
// batches: the batch holding offset goes entirely, so the log end
// afterwards is at or below offset (LogEndOffset says where). Segments
// after the one holding offset are deleted once their readers are done.
// An offset at or past the log end changes nothing; one below the log
// start empties the log and restarts it there, as TruncateFullyAndStartAt.
// Waiters past the new end are woken with an *OffsetOutOfRangeError. A
// negative offset is an *OffsetOutOfRangeError, and changes nothing.
func (l *Log) TruncateTo(offset int64) error {
	if offset < 0 {
		return &OffsetOutOfRangeError{Offset: offset, LogStart: l.logStart.Load(), LogEnd: l.logEnd.Load()}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	if offset >= l.logEnd.Load() {
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
// file name.
func (l *Log) withIntent(name string, offset int64, truncate func(int64) error) error {
	fsys := l.opts.FS
	if err := writeOffsetCheckpoint(fsys, l.dir, name, offset); err != nil {
		return l.fail(err)
	}
	if err := truncate(offset); err != nil {
		return err
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
		if err := l.withIntent(truncateFullyIntentFile, offset, l.truncateFullyLocked); err != nil {
			return err
		}
	}
	if offset, ok, _ := l.readCheckpointAtOpen(truncateIntentFile); ok {
		return l.withIntent(truncateIntentFile, offset, l.truncateToLocked)
	}
	return nil
}

// truncateToLocked is TruncateTo's work, under mu.
func (l *Log) truncateToLocked(offset int64) error {
	if offset >= l.logEnd.Load() {
		return nil
	}
	if offset < l.logStart.Load() {
		return l.truncateFullyLocked(offset)
	}
	l.truncations.Add(1)
	defer l.truncations.Add(1)
	list := l.segs.Load()
	i := list.find(offset)
	keep := list.segs[:i+1]
	s := keep[i]
	if err := s.TruncateTo(offset); err != nil {
		return l.fail(err)
	}
	dropped := list.segs[i+1:]
	if len(dropped) > 0 {
		segs := make([]*segment.Segment, len(keep))
		copy(segs, keep)
		l.segs.Store(&segmentList{segs: segs})
	}
	end := s.NextOffset()
	l.logEnd.Store(end)
	l.changes.Broadcast()
	err := deleteSegments(dropped)
	if l.epochs.truncateFromEnd(end) {
		if serr := l.saveEpochs(); serr != nil {
			return serr
		}
	}
	if l.flush.recoveryPoint.Load() > end {
		// The checkpoint must not claim offsets that may be written
		// again: an unclean Open would trust them unread.
		l.flush.recoveryPoint.Store(end)
		if cerr := l.flush.checkpoint(); cerr != nil {
			return l.fail(cerr)
		}
	}
	return err
}

// TruncateFullyAndStartAt empties the log and restarts it at offset: every
// segment is deleted and a new, empty one begins at offset, which becomes
// both the log start and the log end. A follower does this when its leader
// no longer holds the records after the follower's end.
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
	l.truncations.Add(1)
	defer l.truncations.Add(1)
	old := l.segs.Load().segs
	// Unlink the old files before creating the new segment, which may take
	// the name of one of them.
	if err := deleteSegments(old); err != nil {
		return l.fail(err)
	}
	s, err := segment.Create(l.opts.FS, l.dir, offset, l.opts.segmentOptions())
	if err != nil {
		return l.fail(err)
	}
	// A log start checkpointed before may lie past the new start.
	if err := writeOffsetCheckpoint(l.opts.FS, l.dir, logStartFile, offset); err != nil {
		return l.fail(err)
	}
	l.segs.Store(&segmentList{segs: []*segment.Segment{s}})
	l.logStart.Store(offset)
	l.logEnd.Store(offset)
	l.flush.recoveryPoint.Store(offset)
	l.changes.Broadcast()
	if err := l.flush.checkpoint(); err != nil {
		return l.fail(err)
	}
	l.epochs.clear()
	return l.saveEpochs()
}

// deleteSegments unlinks the files of segments truncation dropped from the
// list, at once, and drops the list's reference on them. Unlinking now
// frees their names for the segments the log will roll next, which may
// have the same base offsets; readers still holding a dropped segment
// read on through its open log file.
func deleteSegments(segs []*segment.Segment) error {
	var first error
	for _, s := range segs {
		if err := s.RemoveFilesNow(); err != nil && first == nil {
			first = fmt.Errorf("log: deleting segment %d: %w", s.BaseOffset(), err)
		}
		if err := s.Release(); err != nil && first == nil {
			first = fmt.Errorf("log: deleting segment %d: %w", s.BaseOffset(), err)
		}
	}
	return first
}
