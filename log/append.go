package log

import (
	"fmt"
	"math"

	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

// AppendInfo describes an append that succeeded.
type AppendInfo struct {
	// FirstOffset and LastOffset are the offsets of the first and last
	// records appended.
	FirstOffset, LastOffset int64
	// MaxTimestamp is the largest batch timestamp appended; with
	// LogAppendTime, the time the log stamped.
	MaxTimestamp int64
	// Batches and Records count what was appended.
	Batches, Records int
}

// Append appends one or more batches as the partition's leader: it checks
// every batch (size, CRC, counts), gives the records offsets from the log
// end, stamps the leader epoch (see SetLeaderEpoch) and, under
// LogAppendTime, the append time, and writes the batches with one write
// call, rolling a new segment first if needed.
//
// Append rewrites the base offset and leader epoch fields of data in place,
// as a leader does; the caller must not use data concurrently. Under
// FlushAlways it returns once the batches are on stable storage.
func (l *Log) Append(data []byte) (AppendInfo, error) {
	l.mu.Lock()
	info, err := l.appendLocked(data, true, record.CheckAll)
	l.mu.Unlock()
	if err != nil {
		return AppendInfo{}, err
	}
	return info, l.flush.afterAppend(info.LastOffset+1, int64(info.Records))
}

// AppendRecords encodes records into one batch, compressed with
// Options.Codec, and appends it as Append does. Records' Offset fields are
// ignored.
func (l *Log) AppendRecords(records ...record.Record) (AppendInfo, error) {
	if len(records) == 0 {
		return AppendInfo{}, ErrEmptyBatch
	}
	l.mu.Lock()
	b := l.builder
	b.Reset()
	b.SetCodec(l.opts.Codec)
	for _, r := range records {
		b.Append(r)
	}
	batch, err := b.Build()
	var info AppendInfo
	if err == nil {
		// The builder's CRC and record framing are right by construction:
		// checking them again would cost a pass over the batch.
		info, err = l.appendLocked(batch, true, record.CheckHeader)
	}
	l.mu.Unlock()
	if err != nil {
		return AppendInfo{}, err
	}
	return info, l.flush.afterAppend(info.LastOffset+1, int64(info.Records))
}

// AppendFollower appends batches that already carry their offsets and
// leader epochs, as a follower copies its leader's log. The first batch
// must start at or after the log end (after it when the leader's log has a
// gap left by compaction), and offsets must increase.
func (l *Log) AppendFollower(data []byte) (AppendInfo, error) {
	l.mu.Lock()
	info, err := l.appendLocked(data, false, record.CheckAll)
	l.mu.Unlock()
	if err != nil {
		return AppendInfo{}, err
	}
	return info, l.flush.afterAppend(info.LastOffset+1, int64(info.Records))
}

// appendLocked checks data as check says, assigns offsets if leader is
// set, and writes it. Called with mu held.
func (l *Log) appendLocked(data []byte, leader bool, check record.Check) (AppendInfo, error) {
	if err := l.writable(); err != nil {
		return AppendInfo{}, err
	}
	info, err := l.check(data, leader, check)
	if err != nil {
		return AppendInfo{}, err
	}
	if info.LastOffset-info.FirstOffset <= math.MaxInt32 {
		return info, l.write(data, info, leader)
	}
	// Offsets too far apart for one segment's 32-bit relative offsets (a
	// follower copying a gap): write the batches in runs that each fit
	// one, rolling between them.
	for rest := data; len(rest) > 0; {
		n, run := l.run(rest)
		if err := l.write(rest[:n], run, leader); err != nil {
			return AppendInfo{}, err
		}
		rest = rest[n:]
	}
	return info, nil
}

// write writes checked batches that one segment can hold, rolling first if
// the active segment cannot. Called with mu held.
func (l *Log) write(data []byte, info AppendInfo, leader bool) error {
	if err := l.maybeRoll(len(data), info); err != nil {
		return l.fail(err)
	}
	if err := l.segs.Load().active().Append(data); err != nil {
		return l.fail(err)
	}
	if err := l.recordEpochs(data, leader, info.FirstOffset); err != nil {
		return err
	}
	l.logEnd.Store(info.LastOffset + 1)
	l.changes.Broadcast()
	l.metrics.Add(metrics.AppendRecords, metrics.Labels{}, float64(info.Records))
	l.metrics.Add(metrics.AppendBytes, metrics.Labels{}, float64(len(data)))
	return nil
}

// run measures the longest run of whole batches at the start of data, at
// least one, whose offsets one segment can hold, and describes it.
func (l *Log) run(data []byte) (int, AppendInfo) {
	info := AppendInfo{FirstOffset: -1, MaxTimestamp: segment.NoTimestamp}
	n := 0
	s := &l.scanner
	s.Reset(data, record.CheckHeader)
	for s.Next() {
		b := s.Batch()
		if info.FirstOffset < 0 {
			info.FirstOffset = b.BaseOffset()
		} else if b.LastOffset()-info.FirstOffset > math.MaxInt32 {
			break
		}
		info.LastOffset = b.LastOffset()
		info.MaxTimestamp = max(info.MaxTimestamp, b.MaxTimestamp())
		info.Batches++
		info.Records += int(b.RecordCount())
		n = s.Valid()
	}
	return n, info
}

// check validates data as batches to append, as far as check says, and,
// for a leader, assigns their offsets, epoch and append time.
func (l *Log) check(data []byte, leader bool, check record.Check) (AppendInfo, error) {
	if len(data) == 0 {
		return AppendInfo{}, fmt.Errorf("%w: nothing to append", ErrEmptyBatch)
	}
	if int64(len(data)) > l.opts.SegmentBytes {
		return AppendInfo{}, fmt.Errorf("%w: append of %d bytes exceeds the %d-byte segment size",
			ErrBatchTooLarge, len(data), l.opts.SegmentBytes)
	}
	next := l.logEnd.Load()
	info := AppendInfo{FirstOffset: -1, MaxTimestamp: segment.NoTimestamp}
	appendTime := int64(-1)
	if leader && l.opts.TimestampType == record.LogAppendTime {
		appendTime = l.opts.Now().UnixMilli()
	}
	s := &l.scanner
	s.Reset(data, check)
	for s.Next() {
		b := s.Batch()
		if len(b) > l.opts.MaxBatchBytes {
			return AppendInfo{}, fmt.Errorf("%w: batch of %d bytes exceeds the %d-byte limit",
				ErrBatchTooLarge, len(b), l.opts.MaxBatchBytes)
		}
		if leader {
			if b.RecordCount() == 0 {
				return AppendInfo{}, ErrEmptyBatch
			}
			b.SetBaseOffset(next)
			b.SetPartitionLeaderEpoch(l.epoch)
			if appendTime >= 0 {
				b.SetLogAppendTime(appendTime)
			}
		} else if b.BaseOffset() < next || b.LastOffsetDelta() < 0 {
			return AppendInfo{}, &UnexpectedOffsetError{FirstOffset: record.Batch(data).BaseOffset(),
				LastOffset: lastOffsetIn(data), LogEnd: l.logEnd.Load(), BatchOffset: b.BaseOffset(), Expected: next}
		}
		if info.FirstOffset < 0 {
			info.FirstOffset = b.BaseOffset()
		}
		info.MaxTimestamp = max(info.MaxTimestamp, b.MaxTimestamp())
		info.Batches++
		info.Records += int(b.RecordCount())
		next = b.NextOffset()
	}
	if err := s.Err(); err != nil {
		return AppendInfo{}, fmt.Errorf("log: appending: %w", err)
	}
	if s.Partial() {
		return AppendInfo{}, fmt.Errorf("log: appending: %w: data ends inside a batch", record.ErrTruncated)
	}
	info.LastOffset = next - 1
	return info, nil
}

// maybeRoll seals the active segment and starts a new one when batches
// that one segment can hold would not fit it: when the segment would outgrow SegmentBytes, when its
// records would span more than SegmentAge, when its indexes are out of
// room, or when an offset would not fit its 32-bit relative offsets.
func (l *Log) maybeRoll(size int, info AppendInfo) error {
	list := l.segs.Load()
	active := list.active()
	room, err := active.IndexRoom()
	if err != nil {
		return err
	}
	var reason string
	switch {
	case active.Size() == 0:
	case active.Size()+int64(size) > l.opts.SegmentBytes:
		reason = "size"
	case active.RollAge(info.MaxTimestamp, l.opts.Now()) > l.opts.SegmentAge-l.rollJitter:
		reason = "age"
	case room < info.Batches:
		reason = "index full"
	}
	if reason == "" {
		if active.CanHoldOffset(info.FirstOffset) && active.CanHoldOffset(info.LastOffset) {
			return nil
		}
		reason = "offset beyond 32-bit reach"
	}
	// The new segment starts at the log end, even when the batches begin
	// after it (a follower copying a gap): a segment may begin with a gap,
	// and a boundary without one is what recovery expects. Only batches
	// beyond the reach of the log end's relative offsets start a segment
	// of their own, at their first offset.
	base := l.logEnd.Load()
	if info.LastOffset-base > math.MaxInt32 {
		base = info.FirstOffset
	}
	return l.roll(list, base, reason)
}

// roll seals the active segment and appends a new one at base. An empty
// active segment (which rolls only to make room for an offset its 32-bit
// relative offsets cannot reach) is dropped rather than kept.
func (l *Log) roll(list *segmentList, base int64, reason string) error {
	old := list.active()
	keep := list.segs
	dropOld := old.Size() == 0
	if dropOld {
		keep = keep[:len(keep)-1]
	} else if err := old.Seal(); err != nil {
		return err
	}
	if base <= old.BaseOffset() {
		return fmt.Errorf("log: rolling to offset %d, not after the active segment's %d", base, old.BaseOffset())
	}
	s, err := l.createSegment(base)
	if err != nil {
		return err
	}
	segs := make([]*segment.Segment, len(keep), len(keep)+1)
	copy(segs, keep)
	l.segs.Store(&segmentList{segs: append(segs, s)})
	if dropOld {
		old.MarkDeleted()
		if err := old.Release(); err != nil {
			return err
		}
	}
	l.flush.requestBackground()
	l.metrics.Add(metrics.SegmentRolls, metrics.Labels{}, 1)
	l.logger.Debug("segment rolled", "file", l.segmentFile(s), "offset", base,
		"sealed_bytes", old.Size(), "reason", reason)
	return nil
}

// createSegment creates a new, empty segment at base, which is to become
// the active one.
func (l *Log) createSegment(base int64) (*segment.Segment, error) {
	s, err := segment.Create(l.opts.FS, l.dir, base, l.opts.segmentOptions())
	if err != nil {
		return nil, err
	}
	l.rollJitter = l.opts.rollJitter()
	return s, nil
}

// recordEpochs adds the epochs of appended batches to the history: the
// log's own epoch for a leader append, each batch's for a follower's.
// Batches without an epoch (-1) add nothing.
func (l *Log) recordEpochs(data []byte, leader bool, firstOffset int64) error {
	changed := false
	if leader {
		changed = l.epoch >= 0 && l.epochs.assign(l.epoch, firstOffset)
	} else {
		s := &l.scanner
		s.Reset(data, record.CheckHeader)
		for s.Next() {
			if e := s.Batch().PartitionLeaderEpoch(); e >= 0 && l.epochs.assign(e, s.Batch().BaseOffset()) {
				changed = true
				l.epoch = e
			}
		}
	}
	if changed {
		return l.saveEpochs()
	}
	return nil
}

// Roll seals the active segment and starts a new one at the log end, as
// Kafka's log does when asked to roll. A log whose active segment is empty
// is left as it is. A caller that is about to rewrite what the log holds
// rolls first, so that DeleteRecordsBefore can then drop every older
// segment whole.
func (l *Log) Roll() error {
	err := l.rollAsked()
	l.flush.runDue()
	return err
}

// rollAsked is Roll under the writer lock.
func (l *Log) rollAsked() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return err
	}
	list := l.segs.Load()
	if list.active().Size() == 0 {
		return nil
	}
	if err := l.roll(list, l.logEnd.Load(), "asked"); err != nil {
		return l.fail(err)
	}
	return nil
}

// lastOffsetIn returns the last offset of the last whole batch header in
// data, or -1 if there is none; nothing but the headers is checked.
func lastOffsetIn(data []byte) int64 {
	last := int64(-1)
	var s record.Scanner
	s.Reset(data, record.CheckHeader)
	for s.Next() {
		last = s.Batch().LastOffset()
	}
	return last
}
