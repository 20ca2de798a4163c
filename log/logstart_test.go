package log

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

func TestDeleteRecordsBefore(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		opts := Options{FS: fsys, SegmentBytes: 1500}
		l, err := Open(dir, opts)
		require.NoError(t, err)
		require.NoError(t, l.SetLeaderEpoch(2))
		appendN(t, l, 0, 100, 10)
		require.NoError(t, l.SetLeaderEpoch(4))
		appendN(t, l, 100, 100, 10)
		segsBefore := l.NumSegments()

		start, err := l.DeleteRecordsBefore(135) // inside a batch and a segment
		require.NoError(t, err)
		require.Equal(t, int64(135), start)
		require.Equal(t, int64(135), l.LogStartOffset())
		require.Less(t, l.NumSegments(), segsBefore, "segments wholly below the start are deleted")
		require.Equal(t, values(135, 65), readAll(t, l, 135), "records of the start's batch below it are skipped")
		_, _, err = l.Read(nil, 134, ReadOptions{})
		require.ErrorIs(t, err, ErrOffsetOutOfRange)
		require.Equal(t, []epochEntry{{4, 135}}, l.epochs.entries(), "the history forgets what came before the start")
		names, err := fsys.List(dir)
		require.NoError(t, err)
		atOrBelow := 0
		for _, name := range names {
			if base, ext, ok := segment.ParseFileName(name); ok && ext == segment.LogExt && base <= 135 {
				atOrBelow++
			}
		}
		require.Equal(t, 1, atOrBelow, "only the segment holding the start is left of those below it")

		start, err = l.DeleteRecordsBefore(50)
		require.NoError(t, err)
		require.Equal(t, int64(135), start, "the start never moves back")
		_, err = l.DeleteRecordsBefore(201)
		require.ErrorIs(t, err, ErrOffsetOutOfRange)

		require.NoError(t, l.Close())
		l, err = Open(dir, opts)
		require.NoError(t, err)
		require.Equal(t, int64(135), l.LogStartOffset(), "the start survives a reopen")
		require.Equal(t, values(135, 65), readAll(t, l, 135))
		offset, found, err := l.OffsetForTimestamp(0)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, int64(135), offset, "time lookups respect the start")

		start, err = l.DeleteRecordsBefore(200)
		require.NoError(t, err)
		require.Equal(t, int64(200), start, "up to the log end")
		require.Empty(t, readAll(t, l, 200))
		appendN(t, l, 200, 10, 10)
		require.NoError(t, l.TruncateFullyAndStartAt(150))
		require.Equal(t, int64(150), l.LogStartOffset())
		require.NoError(t, l.Close())
		l = mustOpen(t, dir, opts)
		require.Equal(t, int64(150), l.LogStartOffset(), "a full truncation rewrites the checkpointed start")
	})
}

func TestLogStartCheckpointPastTheEndIsClamped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	l, err := Open(dir, Options{})
	require.NoError(t, err)
	appendN(t, l, 0, 20, 10)
	require.NoError(t, l.Close())
	require.NoError(t, writeOffsetCheckpoint(vfs.Default, dir, logStartFile, 500))
	l = mustOpen(t, dir, Options{})
	require.Equal(t, int64(20), l.LogStartOffset())
	require.Equal(t, int64(20), l.LogEndOffset())
}

func TestListOffset(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1500})
	appendN(t, l, 0, 100, 10) // record i has timestamp base + 10 i
	_, err := l.DeleteRecordsBefore(25)
	require.NoError(t, err)
	base := int64(1_700_000_000_000)
	for _, c := range []struct {
		ts    int64
		want  int64
		found bool
	}{
		{EarliestTimestamp, 25, true},
		{LatestTimestamp, 100, true},
		{0, 25, true},          // before every record: the log start
		{base + 400, 40, true}, // exactly a record's time
		{base + 401, 41, true}, // between two
		{base + 991, 0, false}, // after every record
	} {
		got, found, err := l.ListOffset(c.ts)
		require.NoError(t, err)
		require.Equal(t, c.found, found, "ts %d", c.ts)
		if c.found {
			require.Equal(t, c.want, got, "ts %d", c.ts)
		}
	}
	require.NoError(t, l.Close())
	_, _, err = l.ListOffset(LatestTimestamp)
	require.ErrorIs(t, err, ErrClosed)
}
