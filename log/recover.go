package log

import (
	"errors"
	"fmt"
	"slices"

	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/segment"
)

// recover reads every segment from segs[from] on, after an unclean
// shutdown, and returns the segments kept, all sealed but the last, which
// is active. On error it releases every segment it was given.
//
// Each segment is read whole and cut at its first torn or corrupt byte
// (segment.Recover). What follows a cut cannot be trusted, as it came
// after a write the crash lost: the segments after it are deleted. So are
// the segments after a hole at a boundary, where a segment's batches end
// below the next segment's base offset, for the same reason: a crash can
// drop a segment's unsynced tail exactly at a batch boundary while the
// next segment's pages reach the disk. The log never rolls so as to leave
// such a hole itself, but in one case: a next batch whose offsets lie
// beyond the 32-bit reach of the segment before it (a follower copying a
// gap of 2^31 offsets, or a split), which a lost tail cannot explain.
//
// Two things are not cut but refused, since they are whole batches that
// a crash does not make: a segment that begins inside its predecessor's
// offsets, and one whose first batch lies below its name. A legacy
// segment whose offsets overflow its relative offsets is split in two, as
// Kafka does, and recovery goes on with the second part.
func (l *Log) recover(segs []*segment.Segment, from int) (_ []*segment.Segment, err error) {
	defer func() {
		if err != nil {
			releaseAll(segs)
			err = fmt.Errorf("log: recovering %s: %w", l.dir, err)
		}
	}()
	keep := len(segs) // segs[:keep] stay
	cutAny := false
	var scanned, cutBytes int64
	read := 0
	dropReason := "after a torn or corrupt batch"
	defer func() {
		l.metrics.Add(metrics.RecoveryBytesScanned, metrics.Labels{}, float64(scanned))
		l.metrics.Add(metrics.RecoveryBytesCut, metrics.Labels{}, float64(cutBytes))
	}()
	next := segs[from].BaseOffset()
	for i := from; i < len(segs) && keep == len(segs); i++ {
		s := segs[i]
		if i > from {
			if s.BaseOffset() < next {
				return nil, fmt.Errorf("%w: segment %s begins inside the offsets of the one before it, which run to %d",
					ErrCorrupt, segment.Path(l.dir, s.BaseOffset(), segment.LogExt), next-1)
			}
			if s.BaseOffset() > next {
				lost, err := l.lostBefore(segs[i-1], s)
				if err != nil {
					return nil, err
				}
				if lost {
					l.logger.Warn("recovery found a hole before a segment",
						"file", l.segmentFile(s), "offset", next, "next_base_offset", s.BaseOffset())
					dropReason = "after a hole in offsets"
					keep = i
					break
				}
			}
		}
		cut, err := s.Recover()
		read++
		scanned += s.Size() + cut
		cutBytes += cut
		var overflow *segment.OverflowError
		if errors.As(err, &overflow) {
			l.logger.Warn("recovery split a segment whose offsets overflow it",
				"file", l.segmentFile(s), "offset", s.NextOffset(), "position", overflow.Pos)
			if segs, err = l.split(segs, i, overflow.Pos); err != nil {
				return nil, err
			}
			keep = len(segs)
			if overflow.Pos == 0 {
				i-- // the new segment took this one's place
				continue
			}
		} else if err != nil {
			return nil, err
		}
		next = s.NextOffset()
		if cut > 0 {
			l.logger.Warn("recovery cut a torn or corrupt segment tail",
				"file", l.segmentFile(s), "offset", next, "bytes_cut", cut, "bytes_kept", s.Size())
			keep = i + 1
			cutAny = true
		}
	}
	// Whatever was cut or dropped, records may have been lost with it.
	l.recoveryCut = keep < len(segs) || cutAny
	dropped := segs[keep:]
	segs = segs[:keep:keep]
	for _, s := range dropped {
		l.logger.Warn("recovery dropped a segment", "file", l.segmentFile(s),
			"offset", s.BaseOffset(), "bytes", s.Size(), "reason", dropReason)
		cutBytes += s.Size()
		s.MarkDeleted()
		if rerr := s.Release(); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return nil, err
	}
	l.logger.Info("log recovered", "dir", l.dir, "segments_read", read, "bytes_scanned", scanned,
		"bytes_cut", cutBytes, "segments_dropped", len(dropped), "log_end_offset", segs[len(segs)-1].NextOffset())
	return segs, l.finishRecovery(segs, from)
}

// segmentFile is the path of s's log file, for log lines.
func (l *Log) segmentFile(s *segment.Segment) string {
	return segment.Path(l.dir, s.BaseOffset(), segment.LogExt)
}

// lostBefore reports whether the hole between prev's batches and next's
// base offset may hide records a crash lost: unless next's first batch
// could not have been stored in prev, whose relative offsets stop at its
// base offset plus math.MaxInt32.
func (l *Log) lostBefore(prev, next *segment.Segment) (bool, error) {
	first, found, err := next.FirstBatch()
	if err != nil {
		return false, err
	}
	return !found || prev.CanHoldOffset(first.LastOffset), nil
}

// split moves the batches of segs[i] from byte pos on into a new segment
// (see segment.Split) and returns the list with it after segs[i], or in
// its place when pos is 0. A segment of the new one's name that an
// interrupted split left is replaced.
func (l *Log) split(segs []*segment.Segment, i int, pos int64) ([]*segment.Segment, error) {
	s := segs[i]
	ns, err := s.Split(pos)
	if err != nil {
		return segs, err
	}
	if i+1 < len(segs) && segs[i+1].BaseOffset() == ns.BaseOffset() {
		// Its file is the one the split just replaced: close the old one.
		segs[i+1].Release()
		segs[i+1] = ns
	} else {
		segs = slices.Insert(segs, i+1, ns)
	}
	if pos == 0 {
		s.MarkDeleted()
		segs = slices.Delete(segs, i, i+1)
		if err := s.Release(); err != nil {
			return segs, err
		}
	}
	return segs, nil
}

// finishRecovery seals the recovered segments but the last. What recovery
// read may still be only in the page cache (a crashed process leaves its
// writes there), so the recovery point stays at the first recovered
// segment: the flusher syncs the rest in the background once the log is
// open.
func (l *Log) finishRecovery(segs []*segment.Segment, from int) error {
	from = min(from, len(segs)-1)
	for _, s := range segs[from : len(segs)-1] {
		if err := s.Seal(); err != nil {
			return err
		}
	}
	l.flush.recoveryPoint.Store(segs[from].BaseOffset())
	l.flush.pendingRecovery = true
	return nil
}
