package log

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
)

// TestListOffsetAnswersEpochsAndTimes checks each kind of ListOffsets
// question against a log of two leader epochs whose latest record in time
// sits early in offsets, before and after the log start passes it, with
// one segment and with many.
func TestListOffsetAnswersEpochsAndTimes(t *testing.T) {
	for _, segBytes := range []int64{1 << 20, 900} {
		l := mustOpen(t, t.TempDir(), Options{SegmentBytes: segBytes})
		const late = int64(1_800_000_000_000)
		require.NoError(t, l.SetLeaderEpoch(2))
		for i := int64(0); i < 100; i++ {
			if i == 50 {
				require.NoError(t, l.SetLeaderEpoch(5))
			}
			r := rec(i)
			if i == 30 {
				r.Timestamp = late
			}
			_, err := l.AppendRecords(r)
			require.NoError(t, err)
		}
		list := func(ts int64) ListedOffset {
			t.Helper()
			got, found, err := l.ListOffset(ts)
			require.NoError(t, err)
			require.True(t, found, "ts %d", ts)
			return got
		}
		require.Equal(t, ListedOffset{Offset: 0, Timestamp: record.NoTimestamp, LeaderEpoch: 2}, list(EarliestTimestamp))
		require.Equal(t, ListedOffset{Offset: 100, Timestamp: record.NoTimestamp, LeaderEpoch: 5}, list(LatestTimestamp))
		require.Equal(t, ListedOffset{Offset: 30, Timestamp: late, LeaderEpoch: 2}, list(MaxTimestamp))
		require.Equal(t, ListedOffset{Offset: 20, Timestamp: rec(20).Timestamp, LeaderEpoch: 2}, list(rec(20).Timestamp))
		require.Equal(t, int64(30), list(rec(60).Timestamp).Offset, "the first in offset order that is late enough")
		require.Equal(t, ListedOffset{Offset: 30, Timestamp: late, LeaderEpoch: 2}, list(rec(99).Timestamp+1),
			"after every record but the late one")

		_, err := l.DeleteRecordsBefore(40)
		require.NoError(t, err)
		require.Equal(t, ListedOffset{Offset: 40, Timestamp: record.NoTimestamp, LeaderEpoch: 2}, list(EarliestTimestamp))
		require.Equal(t, ListedOffset{Offset: 99, Timestamp: rec(99).Timestamp, LeaderEpoch: 5}, list(MaxTimestamp),
			"the late record is below the log start now")
		require.Equal(t, int64(40), list(0).Offset)
		require.Equal(t, ListedOffset{Offset: 60, Timestamp: rec(60).Timestamp, LeaderEpoch: 5}, list(rec(60).Timestamp))
		_, found, err := l.ListOffset(rec(99).Timestamp + 1)
		require.NoError(t, err)
		require.False(t, found, "segment %d: nothing at or after the start is that late", segBytes)

		_, _, err = l.ListOffset(-7)
		require.ErrorIs(t, err, ErrInvalidTimestamp)
	}
	empty := mustOpen(t, t.TempDir(), Options{})
	_, found, err := empty.ListOffset(MaxTimestamp)
	require.NoError(t, err)
	require.False(t, found, "an empty log has no latest record")
}
