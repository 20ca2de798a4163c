package log

import (
	"fmt"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

// The special times Kafka's ListOffsets takes.
const (
	// LatestTimestamp asks ListOffset for the log end offset.
	LatestTimestamp int64 = -1
	// EarliestTimestamp asks ListOffset for the log start offset.
	EarliestTimestamp int64 = -2
	// MaxTimestamp asks ListOffset for the record with the largest
	// timestamp (Kafka's ListOffsets v7).
	MaxTimestamp int64 = -3
)

// ListedOffset is what ListOffset answers, the fields of Kafka's
// ListOffsets v4+ response for one partition.
type ListedOffset struct {
	// Offset is the offset found.
	Offset int64
	// Timestamp is the found record's timestamp, or record.NoTimestamp for
	// EarliestTimestamp and LatestTimestamp, which name no record.
	Timestamp int64
	// LeaderEpoch is the leader epoch of the batch holding the record;
	// for EarliestTimestamp, that of the history entry covering the log
	// start; for LatestTimestamp, the log's LeaderEpoch. -1 when unknown.
	LeaderEpoch int32
}

// ListOffset answers Kafka's ListOffsets for one partition:
//
//   - EarliestTimestamp: the log start;
//   - LatestTimestamp: the log end;
//   - MaxTimestamp: the first record with the largest timestamp;
//   - a time ts >= 0: the first record at or after the log start whose
//     timestamp is at or after ts.
//
// found is false when no record answers: every record is older than ts,
// or (for MaxTimestamp) the log is empty. Any other negative ts is an
// error wrapping ErrInvalidTimestamp. A lookup by time reads the one batch
// that holds the record; MaxTimestamp reads every batch header of the
// segment holding the answer.
func (l *Log) ListOffset(ts int64) (_ ListedOffset, found bool, err error) {
	if l.isClosed.Load() {
		return ListedOffset{}, false, ErrClosed
	}
	switch {
	case ts == EarliestTimestamp:
		start := l.logStart.Load()
		epoch, ok := l.epochs.epochAt(start)
		if !ok {
			epoch = -1
		}
		return ListedOffset{Offset: start, Timestamp: record.NoTimestamp, LeaderEpoch: epoch}, true, nil
	case ts == LatestTimestamp:
		return ListedOffset{Offset: l.logEnd.Load(), Timestamp: record.NoTimestamp, LeaderEpoch: l.LeaderEpoch()}, true, nil
	case ts == MaxTimestamp:
		return l.findMaxTimestamp()
	case ts < 0:
		return ListedOffset{}, false, fmt.Errorf("%w: %d", ErrInvalidTimestamp, ts)
	}
	start := l.logStart.Load()
	segs, release, err := l.acquireFrom(start)
	if err != nil {
		return ListedOffset{}, false, err
	}
	defer release()
	bufp := headerBufs.Get().(*[]byte)
	defer headerBufs.Put(bufp)
	for _, s := range segs {
		maxTS, err := s.MaxTimestamp()
		if err != nil {
			return ListedOffset{}, false, err
		}
		if maxTS < ts {
			continue
		}
		found, ok, err := s.FindOffsetByTimestamp(ts, start, s.Size(), *bufp)
		if err != nil || ok {
			return ListedOffset(found), ok, err
		}
	}
	return ListedOffset{}, false, nil
}

// findMaxTimestamp is ListOffset's MaxTimestamp: the first segment with the
// largest timestamp holds the answer, unless that timestamp is a record's
// below the log start, which only the first segment can hold.
func (l *Log) findMaxTimestamp() (ListedOffset, bool, error) {
	start := l.logStart.Load()
	segs, release, err := l.acquireFrom(start)
	if err != nil {
		return ListedOffset{}, false, err
	}
	defer release()
	bufp := headerBufs.Get().(*[]byte)
	defer headerBufs.Put(bufp)
	var best ListedOffset
	found := false
	for i, s := range segs {
		maxTS, err := s.MaxTimestamp()
		if err != nil {
			return ListedOffset{}, false, err
		}
		if maxTS == segment.NoTimestamp || (found && maxTS <= best.Timestamp) {
			continue
		}
		if i > 0 || s.BaseOffset() >= start {
			// The segment's max is a record's at or after the log start:
			// find the first record that has it.
			r, ok, err := s.FindOffsetByTimestamp(maxTS, start, s.Size(), *bufp)
			if err != nil {
				return ListedOffset{}, false, err
			}
			if ok {
				best, found = ListedOffset(r), true
			}
			continue
		}
		r, ok, err := s.FindMaxTimestamp(start, s.Size(), *bufp)
		if err != nil {
			return ListedOffset{}, false, err
		}
		if ok {
			best, found = ListedOffset(r), true
		}
	}
	return best, found, nil
}
