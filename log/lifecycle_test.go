package log

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
)

// TestRetentionWhileAReaderStreams deletes the segments a reader is in the
// middle of: the reader finishes the segment it holds, then finds the log
// start moved past it.
func TestRetentionWhileAReaderStreams(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1500, RetentionAge: -1, RetentionBytes: 1,
		RetentionCheckInterval: -1})
	appendN(t, l, 0, 300, 10)
	r := l.NewReader(0)
	got := 0
	for got < 5 && r.Next() { // the reader has read one batch of the oldest segment
		got++
	}
	res, err := l.EnforceRetention()
	require.NoError(t, err)
	require.Positive(t, res.Segments)
	for r.Next() {
		require.Equal(t, int64(got), r.Record().Offset, "the batches it had read stay readable")
		got++
	}
	require.ErrorIs(t, r.Err(), ErrOffsetOutOfRange, "then the deleted offsets are gone")
	require.LessOrEqual(t, got, 10)
	require.Equal(t, values(l.LogStartOffset(), 300-l.LogStartOffset()), readAll(t, l, l.LogStartOffset()))
}

// TestSizeRetentionAtExactBoundaries checks that the log keeps at least
// RetentionBytes: a segment goes only if the rest still holds that many.
func TestSizeRetentionAtExactBoundaries(t *testing.T) {
	probe := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1000})
	appendN(t, probe, 0, 100, 10)
	var sizes []int64
	for _, s := range probe.segs.Load().segs {
		sizes = append(sizes, s.Size())
	}
	require.Greater(t, len(sizes), 3)
	total := probe.Size()
	for _, c := range []struct {
		name      string
		retention int64
		deleted   int
	}{
		{"exactly the rest after the first", total - sizes[0], 1},
		{"one byte more than that", total - sizes[0] + 1, 0},
		{"exactly the rest after two", total - sizes[0] - sizes[1], 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1000, RetentionAge: -1,
				RetentionBytes: c.retention, RetentionCheckInterval: -1})
			appendN(t, l, 0, 100, 10)
			res, err := l.EnforceRetention()
			require.NoError(t, err)
			require.Equal(t, c.deleted, res.Segments)
			require.GreaterOrEqual(t, l.Size(), c.retention)
		})
	}
}

// TestTruncateIntoAGap truncates at an offset no batch holds (the gap a
// follower copies from a compacted leader): the log ends at the gap.
func TestTruncateIntoAGap(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	require.NoError(t, followerAppend(t, l, 0, 5))
	require.NoError(t, followerAppend(t, l, 20, 5))
	require.NoError(t, l.TruncateTo(10))
	require.Equal(t, int64(5), l.LogEndOffset(), "the batch after the gap goes; the end is where the first batch ends")
	require.NoError(t, l.TruncateTo(5))
	require.Equal(t, int64(5), l.LogEndOffset(), "at the end: nothing to do")
}

// TestReappendDifferentDataAfterTruncation checks that what was truncated
// is gone for good: new records at the same offsets read back as the new
// data, before and after a reopen.
func TestReappendDifferentDataAfterTruncation(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentBytes: 1200}
	l, err := Open(dir, opts)
	require.NoError(t, err)
	appendN(t, l, 0, 100, 10)
	require.NoError(t, l.TruncateTo(40))
	for i := int64(40); i < 100; i += 10 {
		recs := make([]record.Record, 10)
		for j := range recs {
			recs[j] = record.Record{Timestamp: time.Now().UnixMilli(), Value: fmt.Appendf(nil, "new-%d", i+int64(j))}
		}
		_, err := l.AppendRecords(recs...)
		require.NoError(t, err)
	}
	want := values(0, 40)
	for i := 40; i < 100; i++ {
		want = append(want, fmt.Sprintf("new-%d", i))
	}
	require.Equal(t, want, readAll(t, l, 0))
	l.abandon()
	l = mustOpen(t, dir, opts)
	require.Equal(t, want, readAll(t, l, 0), "after an unclean reopen too")
}

// TestRestartAfterEveryStep runs a sequence of lifecycle operations and
// closes and reopens the log after each, cleanly and after a crash: the
// reopened log must show the same bounds, records and epoch history.
func TestRestartAfterEveryStep(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentBytes: 1200, RetentionAge: -1, RetentionCheckInterval: -1, Flush: FlushAlways}
	l, err := Open(dir, opts)
	require.NoError(t, err)
	steps := []struct {
		name string
		do   func(l *Log) error
	}{
		{"append", func(l *Log) error { appendN(t, l, l.LogEndOffset(), 120, 10); return nil }},
		{"new epoch", func(l *Log) error { return l.SetLeaderEpoch(2) }},
		{"append more", func(l *Log) error { appendN(t, l, l.LogEndOffset(), 80, 10); return nil }},
		{"truncate", func(l *Log) error { return l.TruncateTo(150) }},
		{"delete records", func(l *Log) error { _, err := l.DeleteRecordsBefore(35); return err }},
		{"retention", func(l *Log) error {
			l.opts.RetentionBytes = 1500
			defer func() { l.opts.RetentionBytes = 0 }()
			_, err := l.EnforceRetention()
			return err
		}},
		{"start over", func(l *Log) error { return l.TruncateFullyAndStartAt(1000) }},
		{"append after", func(l *Log) error { appendN(t, l, l.LogEndOffset(), 30, 10); return nil }},
	}
	for _, step := range steps {
		require.NoError(t, step.do(l), step.name)
		want, wantEpochs := stateOf(t, l), l.epochs.entries()
		for _, crash := range []bool{false, true} {
			if crash {
				l.abandon()
			} else {
				require.NoError(t, l.Close())
			}
			l, err = Open(dir, opts)
			require.NoError(t, err, "%s, crash %v", step.name, crash)
			require.Equal(t, want, stateOf(t, l), "%s, crash %v", step.name, crash)
			require.Equal(t, wantEpochs, l.epochs.entries(), "%s, crash %v", step.name, crash)
		}
	}
	require.NoError(t, l.Close())
}
