package log

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// clock is a settable clock for Options.Now.
type clock struct{ ms atomic.Int64 }

func (c *clock) now() time.Time { return time.UnixMilli(c.ms.Load()) }
func (c *clock) set(t int64)    { c.ms.Store(t) }
func newClock(t int64) *clock   { c := &clock{}; c.set(t); return c }
func minutes(n int64) int64     { return n * 60_000 }
func appendAt(t *testing.T, l *Log, ts int64, n int) {
	t.Helper()
	recs := make([]record.Record, n)
	for i := range recs {
		recs[i] = record.Record{Timestamp: ts, Value: make([]byte, 50)}
	}
	_, err := l.AppendRecords(recs...)
	require.NoError(t, err)
}

func TestRetentionByAge(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		base := int64(1_700_000_000_000)
		c := newClock(base)
		l := mustOpen(t, dir, Options{FS: fsys, SegmentBytes: 1000, RetentionAge: time.Hour,
			RetentionCheckInterval: -1, Now: c.now})
		for i := range int64(10) {
			appendAt(t, l, base+minutes(10*i), 5) // one segment per ~append
		}
		segs := l.NumSegments()
		require.Greater(t, segs, 4)

		c.set(base + minutes(90)) // segments whose newest record is older than 30 min go
		res, err := l.EnforceRetention()
		require.NoError(t, err)
		require.Positive(t, res.Segments)
		require.Equal(t, l.LogStartOffset(), res.LogStartOffset)
		require.Positive(t, res.LogStartOffset)
		require.Equal(t, segs-res.Segments, l.NumSegments())
		for _, s := range l.segs.Load().segs {
			ts, err := s.MaxTimestamp()
			require.NoError(t, err)
			require.GreaterOrEqual(t, ts, base+minutes(30), "a segment with records younger than the age stays")
		}
		_, _, err = l.Read(nil, res.LogStartOffset-1, ReadOptions{})
		require.ErrorIs(t, err, ErrOffsetOutOfRange)

		// Everything expired: the active segment is rolled first, and the
		// log end does not move back.
		end := l.LogEndOffset()
		c.set(base + minutes(1000))
		_, err = l.EnforceRetention()
		require.NoError(t, err)
		require.Equal(t, end, l.LogEndOffset())
		require.Equal(t, end, l.LogStartOffset())
		require.Equal(t, 1, l.NumSegments())
		appendAt(t, l, base+minutes(1000), 1)
		require.Equal(t, end+1, l.LogEndOffset())
	})
}

func TestRetentionBySizeAndBound(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1000, RetentionAge: -1, RetentionBytes: 3000,
		RetentionCheckInterval: -1})
	appendN(t, l, 0, 300, 10)
	total := l.Size()
	require.Greater(t, total, int64(6000))

	l.SetRetentionUpperBound(100)
	_, err := l.EnforceRetention()
	require.NoError(t, err)
	require.LessOrEqual(t, l.LogStartOffset(), int64(100), "nothing at or above the bound goes")

	l.SetRetentionUpperBound(NoRetentionBound)
	_, err = l.EnforceRetention()
	require.NoError(t, err)
	require.GreaterOrEqual(t, l.Size(), int64(3000), "the log keeps at least RetentionBytes")
	require.Less(t, l.Size()-l.segs.Load().segs[0].Size(), int64(3000), "and no more segments than that needs")
	require.Equal(t, values(l.LogStartOffset(), 300-l.LogStartOffset()), readAll(t, l, l.LogStartOffset()))
}

func TestRetentionOfFutureTimestamps(t *testing.T) {
	// Timestamps relative to the real time, since the fallback for
	// future timestamps is the file's modification time.
	now := time.Now().UnixMilli()
	c := newClock(now)
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 500, RetentionAge: time.Hour,
		RetentionCheckInterval: -1, Now: c.now})
	appendAt(t, l, now+minutes(60*24*365), 5) // a year ahead of the clock
	appendAt(t, l, now+minutes(60*24*365), 5)
	require.Greater(t, l.NumSegments(), 1)
	first := l.segs.Load().segs[0]

	c.set(now + minutes(30))
	res, err := l.EnforceRetention()
	require.NoError(t, err)
	require.Zero(t, res.Segments, "written half an hour ago: not yet")

	// Two hours after the files were written, the future-stamped segment
	// is judged by its file time and goes, though its records claim to
	// be a year from now.
	c.set(now + minutes(120))
	res, err = l.EnforceRetention()
	require.NoError(t, err)
	require.Positive(t, res.Segments)
	require.NotSame(t, first, l.segs.Load().segs[0])
}

func TestRetentionLoopRuns(t *testing.T) {
	base := int64(1_700_000_000_000)
	c := newClock(base)
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 500, RetentionAge: time.Minute,
		RetentionCheckInterval: 5 * time.Millisecond, Now: c.now})
	appendAt(t, l, base, 5)
	appendAt(t, l, base, 5)
	appendAt(t, l, base+minutes(10), 5)
	c.set(base + minutes(5))
	require.Eventually(t, func() bool { return l.LogStartOffset() > 0 }, 10*time.Second, 5*time.Millisecond)
}

// TestCannotDeleteSegmentsAtOrAboveTheBound is Kafka's
// UnifiedLogTest.testCannotDeleteSegmentsAtOrAboveHighWatermark: every
// record has expired, and the retention upper bound (a high watermark)
// rises from 0 to the log end one offset at a time. At each step retention
// deletes exactly the segments wholly below the bound: at 0, nothing.
func TestCannotDeleteSegmentsAtOrAboveTheBound(t *testing.T) {
	c := newClock(minutes(100_000))
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 512, MaxIndexBytes: 1000, RetentionAge: 999 * time.Millisecond,
		RetentionCheckInterval: -1, Now: c.now})
	for range 100 {
		appendAt(t, l, c.now().UnixMilli()-1000, 1)
	}
	require.Greater(t, l.NumSegments(), 5)
	require.Equal(t, int64(100), l.LogEndOffset())

	for hw := int64(0); hw <= 100; hw++ {
		l.SetRetentionUpperBound(hw)
		_, err := l.EnforceRetention()
		require.NoError(t, err)
		require.LessOrEqual(t, l.LogStartOffset(), hw)
		segs := l.segs.Load().segs
		require.LessOrEqual(t, segs[0].BaseOffset(), hw, "bound %d", hw)
		require.GreaterOrEqual(t, segs[0].BaseOffset(), l.LogStartOffset())
		for _, s := range segs[1:] {
			require.Greater(t, s.BaseOffset(), hw, "bound %d: every segment wholly below it is deleted", hw)
		}
		if hw == 0 {
			require.Equal(t, int64(0), l.LogStartOffset(), "a bound of 0 deletes nothing")
		}
	}
	require.Equal(t, int64(100), l.LogStartOffset())
	require.Equal(t, 1, l.NumSegments())
	require.Zero(t, l.segs.Load().active().Size())

	l.SetRetentionUpperBound(NoRetentionBound)
	appendAt(t, l, c.now().UnixMilli()-1000, 1)
	require.NoError(t, l.Roll())
	_, err := l.EnforceRetention()
	require.NoError(t, err)
	require.Equal(t, int64(101), l.LogStartOffset(), "without a bound, up to the log end")
}
