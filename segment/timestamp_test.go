package segment

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

func TestFindOffsetByTimestamp(t *testing.T) {
	s := createSegment(t, vfs.Default, t.TempDir(), 0, Options{IndexIntervalBytes: 500})
	fill(t, s, 300) // record i has timestamp 1000 i, in batches of 10
	buf := make([]byte, locateBufSize)
	for _, c := range []struct{ ts, min, want int64 }{
		{-5, 0, 0}, {0, 0, 0}, {1, 0, 1}, {999, 0, 1}, {1000, 0, 1}, {123456, 0, 124}, {299000, 0, 299},
		// From a minimum offset inside a batch: never a record below it.
		{0, 25, 25}, {26000, 25, 26}, {123456, 200, 200},
	} {
		got, found, err := s.FindOffsetByTimestamp(c.ts, c.min, s.Size(), buf)
		require.NoError(t, err)
		require.True(t, found, "ts %d from %d", c.ts, c.min)
		require.Equal(t, c.want, got.Offset, "ts %d from %d", c.ts, c.min)
		require.Equal(t, c.want*1000, got.Timestamp, "the record's own timestamp")
	}
	_, found, err := s.FindOffsetByTimestamp(299001, 0, s.Size(), buf)
	require.NoError(t, err)
	require.False(t, found)
	_, found, err = s.FindOffsetByTimestamp(0, 300, s.Size(), buf)
	require.NoError(t, err)
	require.False(t, found, "nothing at or after the segment's end")
	ts, err := s.MaxTimestamp()
	require.NoError(t, err)
	require.Equal(t, int64(299000), ts)
}

// timedBatch builds a batch at base of records with the given timestamps,
// stamped with leader epoch epoch.
func timedBatch(t *testing.T, base int64, epoch int32, stamps ...int64) []byte {
	t.Helper()
	b := record.NewBuilder()
	b.SetBaseOffset(base)
	b.SetPartitionLeaderEpoch(epoch)
	for _, ts := range stamps {
		b.Append(record.Record{Timestamp: ts, Value: []byte("v")})
	}
	batch, err := b.Build()
	require.NoError(t, err)
	return append([]byte(nil), batch...)
}

func TestFindMaxTimestampAndEpochs(t *testing.T) {
	s := createSegment(t, vfs.Default, t.TempDir(), 0, Options{})
	require.NoError(t, s.Append(timedBatch(t, 0, 3, 10, 90, 20))) // offsets 0-2
	require.NoError(t, s.Append(timedBatch(t, 3, 4, 50, 60)))     // 3-4
	require.NoError(t, s.Append(timedBatch(t, 5, 5, 90, 70, 90))) // 5-7: ties the max
	require.NoError(t, s.Append(timedBatch(t, 8, 6, 30)))         // 8
	buf := make([]byte, locateBufSize)

	got, found, err := s.FindMaxTimestamp(0, s.Size(), buf)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, TimestampOffset{Offset: 1, Timestamp: 90, LeaderEpoch: 3}, got, "the first record of the largest time")

	got, found, err = s.FindMaxTimestamp(2, s.Size(), buf)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, TimestampOffset{Offset: 5, Timestamp: 90, LeaderEpoch: 5}, got, "records below the minimum do not count")

	got, found, err = s.FindMaxTimestamp(8, s.Size(), buf)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, TimestampOffset{Offset: 8, Timestamp: 30, LeaderEpoch: 6}, got)

	// By time, the epoch is the batch's: offset 3 is in epoch 4.
	got, found, err = s.FindOffsetByTimestamp(40, 0, s.Size(), buf)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, TimestampOffset{Offset: 1, Timestamp: 90, LeaderEpoch: 3}, got, "offset 1 is the first at or after 40")
	got, _, err = s.FindOffsetByTimestamp(40, 2, s.Size(), buf)
	require.NoError(t, err)
	require.Equal(t, TimestampOffset{Offset: 3, Timestamp: 50, LeaderEpoch: 4}, got,
		"offset 2 (at 20) is too early; the batch's max, at offset 1, is below the minimum")

	_, found, err = s.FindMaxTimestamp(9, s.Size(), buf)
	require.NoError(t, err)
	require.False(t, found)
}
