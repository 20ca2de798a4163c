package segment

import (
	"errors"
	"fmt"
	"io"

	"github.com/commitlog-go/commitlog/record"
)

// TimestampOffset is a record found by its time, with what Kafka's
// ListOffsets answers about it: its offset, its timestamp and the leader
// epoch of the batch that holds it (-1 for a batch stamped with none).
type TimestampOffset struct {
	Offset      int64
	Timestamp   int64
	LeaderEpoch int32
}

// FindOffsetByTimestamp returns the first record at or after offset
// minOffset whose timestamp is at or after ts, looking no further than the
// byte position limit; found is false when no such record is in the
// segment. It decodes only the one batch that holds the record.
func (s *Segment) FindOffsetByTimestamp(ts, minOffset, limit int64, buf []byte) (_ TimestampOffset, found bool, err error) {
	if err := s.Verify(); err != nil {
		return TimestampOffset{}, false, err
	}
	ti, err := s.timeIndex()
	if err != nil {
		return TimestampOffset{}, false, err
	}
	oi, err := s.offsetIndex()
	if err != nil {
		return TimestampOffset{}, false, err
	}
	from := min(oi.Lookup(max(ti.Lookup(ts).Offset, minOffset)).Position, limit)
	var target batchHeader
	_, err = s.scanMapped(buf, from, limit, func(h batchHeader) error {
		if h.maxTimestamp >= ts && h.lastOffset >= minOffset {
			target, found = h, true
			return errStopScan
		}
		return nil
	})
	if err != nil || !found {
		return TimestampOffset{}, false, err
	}
	r, ok, err := s.firstRecordIn(target, minOffset, func(r *record.Record) bool { return r.Timestamp >= ts })
	if err != nil || ok {
		return r, ok, err
	}
	if target.baseOffset >= minOffset {
		// The batch's MaxTimestamp promised a record at or after ts; with
		// LogAppendTime every record has it, so this is reached only when
		// the header and records disagree.
		return TimestampOffset{}, false, fmt.Errorf("segment %d: %w: batch at %d has max timestamp %d but no record at or after %d",
			s.base, record.ErrCorrupt, target.position, target.maxTimestamp, ts)
	}
	// The batch's late records lie below minOffset: look on after it.
	return s.FindOffsetByTimestamp(ts, target.lastOffset+1, limit, buf)
}

// FindMaxTimestamp returns the first record at or after offset minOffset
// that has the largest timestamp of those records, looking no further than
// the byte position limit: what Kafka's ListOffsets answers for
// MAX_TIMESTAMP. found is false when the segment holds no such record, or
// none of them has a timestamp. It reads every batch header from minOffset
// on and decodes at most two batches.
func (s *Segment) FindMaxTimestamp(minOffset, limit int64, buf []byte) (_ TimestampOffset, found bool, err error) {
	if err := s.Verify(); err != nil {
		return TimestampOffset{}, false, err
	}
	oi, err := s.offsetIndex()
	if err != nil {
		return TimestampOffset{}, false, err
	}
	from := min(oi.Lookup(minOffset).Position, limit)
	best := TimestampOffset{Timestamp: NoTimestamp}
	var bestBatch batchHeader
	_, err = s.scanMapped(buf, from, limit, func(h batchHeader) error {
		if h.lastOffset < minOffset {
			return nil
		}
		maxTS := h.maxTimestamp
		if h.baseOffset < minOffset {
			// A batch that begins below minOffset: only its records from
			// minOffset on count.
			var err error
			if maxTS, err = s.maxTimestampFrom(h, minOffset); err != nil {
				return err
			}
		}
		if maxTS > best.Timestamp {
			best.Timestamp, bestBatch, found = maxTS, h, true
		}
		return nil
	})
	if err != nil || !found {
		return TimestampOffset{}, false, err
	}
	r, ok, err := s.firstRecordIn(bestBatch, minOffset, func(r *record.Record) bool { return r.Timestamp == best.Timestamp })
	if err == nil && !ok {
		err = fmt.Errorf("segment %d: %w: batch at %d has no record of its max timestamp %d",
			s.base, record.ErrCorrupt, bestBatch.position, best.Timestamp)
	}
	return r, ok, err
}

// maxTimestampFrom is the largest timestamp of h's records at or after
// minOffset, or NoTimestamp.
func (s *Segment) maxTimestampFrom(h batchHeader, minOffset int64) (int64, error) {
	maxTS := NoTimestamp
	_, _, err := s.firstRecordIn(h, minOffset, func(r *record.Record) bool {
		maxTS = max(maxTS, r.Timestamp)
		return false
	})
	return maxTS, err
}

// firstRecordIn decodes the batch h describes and returns the first of its
// records at or after minOffset that match accepts.
func (s *Segment) firstRecordIn(h batchHeader, minOffset int64, match func(*record.Record) bool) (TimestampOffset, bool, error) {
	// h.size was checked against the file by the scan that found h.
	batch := make([]byte, h.size)
	if _, err := s.readAt(batch, h.position); err != nil && !errors.Is(err, io.EOF) {
		return TimestampOffset{}, false, fmt.Errorf("segment: reading %d at %d: %w", s.base, h.position, err)
	}
	var it record.Iterator
	it.Reset(batch)
	for it.Next() {
		if r := it.Record(); r.Offset >= minOffset && match(r) {
			return TimestampOffset{Offset: r.Offset, Timestamp: r.Timestamp, LeaderEpoch: h.leaderEpoch}, true, nil
		}
	}
	if err := it.Err(); err != nil {
		return TimestampOffset{}, false, positioned(err, s.base, h.position)
	}
	return TimestampOffset{}, false, nil
}
