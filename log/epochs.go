package log

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

// The log's leader-epoch history: which leader epoch began at which offset.
// Leader appends and SetLeaderEpoch record the log's own epoch; follower
// appends record the epochs their batches carry; truncation trims it. Each
// change is written to leader-epoch-checkpoint before the call that made it
// returns. Replication asks it where an epoch ended (EndOffsetForEpoch) to
// find where a follower's log diverged from its leader's.

// loadEpochs reads the checkpoint and fits it to the log: entries past the
// log end (written for appends a crash lost) are dropped, and
// entries below the log start are re-anchored at it.
//
// The batches themselves carry their epochs, and the history is rebuilt
// from them where it may lack some: from the log start when the
// checkpoint is missing or does not parse, and from the first recovered
// segment after an unclean shutdown (a crash between an append and the
// checkpoint write would otherwise lose an epoch).
func (l *Log) loadEpochs(logStart, logEnd int64, recovered bool) error {
	// A missing checkpoint, like an unreadable one, means rebuilding.
	var entries []EpochEntry
	err := fs.ErrNotExist
	if l.listedAtOpen(epochCheckpointName) {
		entries, err = readEpochCheckpoint(l.opts.FS, l.dir)
		if err != nil && !errors.Is(err, ErrBadCheckpoint) {
			return err // one that cannot be read at all is not absent
		}
		if err != nil {
			l.logger.Warn("leader-epoch checkpoint does not parse: rebuilding it from the batches",
				"file", filepath.Join(l.dir, epochCheckpointName), "err", err)
		}
	}
	l.epochs = newEpochCache(entries)
	// An entry at the log end itself stays: SetLeaderEpoch records one
	// there before any record of the epoch exists.
	l.epochs.truncateFromEnd(logEnd + 1)
	l.epochs.truncateFromStart(logStart)
	rebuildFrom := int64(-1)
	switch {
	case err != nil:
		rebuildFrom = logStart
	case recovered:
		rebuildFrom = l.flush.recoveryPoint.Load()
	}
	if rebuildFrom >= 0 && logEnd > logStart {
		if err := l.rebuildEpochs(rebuildFrom); err != nil {
			return err
		}
	}
	if latest, _, ok := l.epochs.latest(); ok {
		l.epoch = latest
	}
	return nil
}

// rebuildEpochs adds to the history the epochs of the batches from the
// segment holding offset on, and saves it if that changed anything.
func (l *Log) rebuildEpochs(offset int64) error {
	list := l.segs.Load()
	bufp := headerBufs.Get().(*[]byte)
	defer headerBufs.Put(bufp)
	// Replay the batches over the history as it was before them, then put
	// back the epochs begun at the log end that no batch can show.
	offset = max(offset, list.segs[list.find(offset)].BaseOffset())
	var atEnd []EpochEntry
	for _, e := range l.epochs.entries() {
		if e.StartOffset >= l.logEnd.Load() {
			atEnd = append(atEnd, e)
		}
	}
	changed := l.epochs.truncateFromEnd(offset)
	for _, s := range list.segs[list.find(offset):] {
		err := s.Batches(0, s.Size(), *bufp, func(b segment.BatchPosition) bool {
			if b.LeaderEpoch >= 0 && l.epochs.assign(b.LeaderEpoch, b.BaseOffset) {
				changed = true
			}
			return true
		})
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, record.ErrTruncated) {
			return fmt.Errorf("log: rebuilding the leader-epoch history: %w", err)
		}
		// Damage ends the walk of this segment, as it ends reads there;
		// only a log trusted unread after a clean shutdown has any.
	}
	for _, e := range atEnd {
		if latest, _, ok := l.epochs.latest(); !ok || e.Epoch > latest {
			changed = l.epochs.assign(e.Epoch, e.StartOffset) || changed
		}
	}
	if changed {
		return writeEpochCheckpoint(l.opts.FS, l.dir, l.epochs.entries())
	}
	return nil
}

// saveEpochs writes the history after a change; a failure makes the log
// refuse writes, as a failed fsync does. Called with mu held.
func (l *Log) saveEpochs() error {
	if err := writeEpochCheckpoint(l.opts.FS, l.dir, l.epochs.entries()); err != nil {
		return l.fail(err)
	}
	return nil
}

// SetLeaderEpoch makes epoch the one leader appends stamp, as a replica
// does when it becomes the leader of Epoch: the epoch starts at the log
// end, and that is recorded in the history at once.
func (l *Log) SetLeaderEpoch(epoch int32) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	l.epoch = epoch
	if l.epochs.assign(epoch, l.logEnd.Load()) {
		return l.saveEpochs()
	}
	return nil
}

// LeaderEpoch is the epoch leader appends stamp: the one last set, or the
// latest in the history.
func (l *Log) LeaderEpoch() int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.epoch
}

// EndOffsetForEpoch answers Kafka's OffsetsForLeaderEpoch for this log:
// for the latest epoch, the log end; for an earlier one, the start offset
// of the first epoch after it, paired with the largest epoch at or below
// the one asked for; for an epoch before the history, that epoch and the
// history's first start offset; and (-1, -1) for an unknown epoch (-1) or
// one later than the history.
func (l *Log) EndOffsetForEpoch(epoch int32) (foundEpoch int32, endOffset int64) {
	return l.epochs.endOffsetFor(epoch, l.logEnd.Load())
}

// Epochs returns the leader-epoch history, oldest first: each epoch the
// log holds records of (or was set to lead, at its end), with the offset
// it began at.
func (l *Log) Epochs() []EpochEntry { return l.epochs.entries() }

// LatestEpoch is the epoch of the newest entry in the history, the one
// EndOffsetForEpoch answers with the log end: that of the last records
// appended, or one SetLeaderEpoch recorded since. ok is false for an empty
// history. It can differ from LeaderEpoch, the epoch leader appends stamp:
// a TruncateTo at the log end drops an entry SetLeaderEpoch made, but not
// the epoch set.
func (l *Log) LatestEpoch() (epoch int32, ok bool) {
	epoch, _, ok = l.epochs.latest()
	return epoch, ok
}
