package log

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
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
		require.Equal(t, []EpochEntry{{4, 135}}, l.epochs.entries(), "the history forgets what came before the start")
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
		listed, found, err := l.ListOffset(0)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, int64(135), listed.Offset, "time lookups respect the start")

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

// TestLogStartPastTheEndIsABadCheckpoint writes a log-start checkpoint
// past the end of a log of eight segments. No call moves the start past
// the end, and records below a start are made durable before it is
// checkpointed, so it is damage: Open refuses with ErrBadCheckpoint,
// after a clean shutdown or not, and deletes nothing. Without the file the
// log opens whole.
func TestLogStartPastTheEndIsABadCheckpoint(t *testing.T) {
	for _, clean := range []bool{true, false} {
		t.Run(map[bool]string{true: "clean", false: "unclean"}[clean], func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "p-0")
			ten := buildBatch(t, rec(0), rec(1), rec(2), rec(3), rec(4), rec(5), rec(6), rec(7), rec(8), rec(9))
			opts := Options{SegmentBytes: int64(len(ten)) + 50} // a batch of 10 each
			l, err := Open(dir, opts)
			require.NoError(t, err)
			appendN(t, l, 0, 80, 10)
			require.Equal(t, 8, l.NumSegments())
			require.NoError(t, l.Close())
			if !clean {
				require.NoError(t, os.Remove(filepath.Join(dir, cleanShutdownMarker)))
			}
			require.NoError(t, writeOffsetCheckpoint(vfs.Default, dir, logStartFile, 500))
			before := segmentFiles(t, dir, segment.LogExt)

			_, err = Open(dir, opts)
			require.ErrorIs(t, err, ErrBadCheckpoint)
			require.ErrorContains(t, err, logStartFile)
			require.Equal(t, before, segmentFiles(t, dir, segment.LogExt), "no segment is deleted")

			require.NoError(t, os.Remove(filepath.Join(dir, logStartFile)))
			l = mustOpen(t, dir, opts)
			require.Equal(t, values(0, 80), readAll(t, l, 0))
		})
	}
}

// TestLogEndBelowStartAfterRecovery is Kafka's
// LogLoaderTest.testLogEndLessThanStartAfterReopen: records are deleted
// below 7, the log is damaged below that, and a crash before the recovery
// point was checkpointed makes Open recover it, cutting the damaged
// segment and every one after it, so that the log would end at 5, below
// its start. It restarts instead at the checkpointed start, as one empty
// segment: offsets below 7 are never handed out again.
func TestLogEndBelowStartAfterRecovery(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	batch := int64(len(buildBatch(t, rec(0))))
	opts := Options{SegmentBytes: 5 * batch, RetentionCheckInterval: -1}
	l, err := Open(dir, opts)
	require.NoError(t, err)
	appendN(t, l, 0, 10, 1)
	require.NoError(t, l.Roll())
	_, err = l.DeleteRecordsBefore(7)
	require.NoError(t, err)
	require.Equal(t, []int64{5, 10}, segmentBases(l))
	require.NoError(t, l.Close())

	damaged := segment.Path(dir, 5, segment.LogExt)
	require.NoError(t, os.WriteFile(damaged, []byte("corruptRecord"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, cleanShutdownMarker)))
	require.NoError(t, os.Remove(filepath.Join(dir, recoveryPointFile)))

	l = mustOpen(t, dir, opts)
	require.Equal(t, int64(7), l.LogStartOffset())
	require.Equal(t, int64(7), l.LogEndOffset())
	require.Equal(t, []int64{7}, segmentBases(l))
	for _, ext := range []string{segment.LogExt, segment.IndexExt, segment.TimeIndexExt} {
		_, err := os.Stat(segment.Path(dir, 7, ext))
		require.NoError(t, err, "the only segment has its files")
	}
	info, err := l.AppendRecords(rec(7))
	require.NoError(t, err)
	require.Equal(t, int64(7), info.FirstOffset, "the next append gets the start, not a deleted offset")
	require.NoError(t, l.Close())
	l = mustOpen(t, dir, opts)
	require.Equal(t, values(7, 1), readAll(t, l, 7))
}

// segmentBases returns the base offsets of l's segments.
func segmentBases(l *Log) []int64 {
	var out []int64
	for _, s := range l.segs.Load().segs {
		out = append(out, s.BaseOffset())
	}
	return out
}

// buildBatch encodes records into one batch, as AppendRecords would.
func buildBatch(t *testing.T, records ...record.Record) []byte {
	t.Helper()
	b := record.NewBuilder()
	for _, r := range records {
		b.Append(r)
	}
	data, err := b.Build()
	require.NoError(t, err)
	return append([]byte(nil), data...)
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
			require.Equal(t, c.want, got.Offset, "ts %d", c.ts)
		}
	}
	require.NoError(t, l.Close())
	_, _, err = l.ListOffset(LatestTimestamp)
	require.ErrorIs(t, err, ErrClosed)
}
