package log

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
)

// TestTimeBasedRollDuringAppend is Kafka's
// UnifiedLogTest.testTimeBasedLogRollDuringAppend, on the log's clock
// (Options.Now): a segment whose first batch has no timestamp is aged
// from its creation by that clock, one whose first batch has one by the
// timestamps of the batches appended.
func TestTimeBasedRollDuringAppend(t *testing.T) {
	const age = time.Hour
	c := newClock(1_700_000_000_000)
	advance := func(d time.Duration) { c.set(c.now().Add(d).UnixMilli()) }
	l := mustOpen(t, t.TempDir(), Options{SegmentAge: age, Now: c.now, RetentionCheckInterval: -1})
	put := func(ts int64, segments int, why string) {
		t.Helper()
		_, err := l.AppendRecords(record.Record{Timestamp: ts, Value: []byte("test")})
		require.NoError(t, err)
		require.Equal(t, segments, l.NumSegments(), why)
	}
	require.Equal(t, 1, l.NumSegments())
	advance(age + time.Millisecond)
	put(record.NoTimestamp, 1, "no roll that would leave an empty segment")
	put(record.NoTimestamp, 2, "the segment is older than its age, by the clock")
	for n := 3; n < 5; n++ {
		advance(age + time.Millisecond)
		put(record.NoTimestamp, n, "the clock moved past the age")
	}
	ts := c.now().Add(age + time.Millisecond).UnixMilli()
	put(ts, 4, "the first batch has no timestamp: aged by the clock, which has not moved")
	advance(age + time.Millisecond)
	put(ts, 5, "the clock moved past the age")
	advance(age + time.Millisecond)
	put(ts, 5, "aged by the timestamps of its batches, not the clock")
	put(c.now().UnixMilli(), 6, "a batch whose timestamp is past the first's by more than the age")
}

// TestTimeBasedRollJitter is Kafka's UnifiedLogTest.testTimeBasedLogRollJitter:
// each segment's age limit is shortened by a random jitter below
// SegmentJitter, drawn when it becomes active.
func TestTimeBasedRollJitter(t *testing.T) {
	const age, jitter = time.Hour, 20 * time.Minute
	c := newClock(1_700_000_000_000)
	advance := func(d time.Duration) { c.set(c.now().Add(d).UnixMilli()) }
	l := mustOpen(t, t.TempDir(), Options{SegmentAge: age, SegmentJitter: jitter, Now: c.now, RetentionCheckInterval: -1})
	put := func() {
		t.Helper()
		_, err := l.AppendRecords(record.Record{Timestamp: c.now().UnixMilli(), Value: []byte("test")})
		require.NoError(t, err)
	}
	require.Less(t, l.rollJitter, jitter)
	put()
	advance(age - jitter)
	put()
	require.Equal(t, 1, l.NumSegments(), "earlier than any jitter allows")
	advance(jitter - l.rollJitter + time.Millisecond)
	put()
	require.Equal(t, 2, l.NumSegments(), "past the age less this segment's jitter")

	seen := map[time.Duration]bool{}
	for range 20 {
		seen[Options{SegmentJitter: jitter, SegmentAge: age}.rollJitter()] = true
	}
	require.Greater(t, len(seen), 1, "the jitter is drawn afresh")
	require.Zero(t, Options{SegmentAge: age}.rollJitter(), "no jitter by default")
	_, err := Open(t.TempDir(), Options{SegmentJitter: -time.Second})
	require.Error(t, err)
}
