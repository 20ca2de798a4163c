package log

import (
	"context"

	"github.com/commitlog-go/commitlog/segment"
)

// logStartFile holds the log start offset when DeleteRecordsBefore moved it
// past the first segment's base offset, in the layout of
// recovery-point-offset-checkpoint (checkpoint.go).
const logStartFile = "log-start-offset-checkpoint"

// DeleteRecordsBefore makes offset the log start: records below it can no
// longer be read, whole segments below it are deleted, and the leader-epoch
// history forgets what came before it. The new start is written to disk
// before any file goes, so a crash can lose no record at or above it and
// bring back none below it. It returns the log start afterwards; an offset
// at or below the current start changes nothing; a negative one, or one
// past the log end, is an *OffsetOutOfRangeError.
//
// The records below offset are made durable first, whatever the flush
// policy, so that no crash can leave the log ending below its start: a
// start past the end is then always damage (see Open).
func (l *Log) DeleteRecordsBefore(offset int64) (int64, error) {
	if offset > 0 && offset <= l.logEnd.Load() {
		// Outside the writer lock; checked again under it.
		if err := l.flush.syncTo(context.Background(), offset); err != nil {
			return l.logStart.Load(), err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return 0, err
	}
	start, end := l.logStart.Load(), l.logEnd.Load()
	if offset < 0 || offset > end {
		return start, &OffsetOutOfRangeError{Offset: offset, LogStart: start, LogEnd: end}
	}
	if offset <= start {
		return start, nil
	}
	if l.flush.recoveryPoint.Load() < offset {
		// A truncation and appends since the sync above.
		if err := l.flush.syncTo(context.Background(), offset); err != nil {
			return start, err
		}
	}
	if err := writeOffsetCheckpoint(l.opts.FS, l.dir, logStartFile, offset); err != nil {
		return start, l.fail(err)
	}
	l.logStart.Store(offset)
	l.logger.Info("records deleted", "log_start_offset", offset)
	if l.epochs.truncateFromStart(offset) {
		if err := l.saveEpochs(); err != nil {
			return offset, err
		}
	}
	// Every segment before the one holding offset is wholly below it.
	list := l.segs.Load()
	i := list.find(offset)
	if i == 0 {
		return offset, nil
	}
	kept := append([]*segment.Segment(nil), list.segs[i:]...)
	l.segs.Store(&segmentList{segs: kept})
	return offset, l.deleteSegments(list.segs[:i])
}
