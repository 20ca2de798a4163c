package log

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

// readUntilError reads l from its start with a Reader and returns how many
// records it read before it stopped, requiring them to be the records
// written, one after another with no gap, and returns the error it stopped
// with.
func readUntilError(t *testing.T, l *Log) (int64, error) {
	t.Helper()
	r := l.NewReader(l.LogStartOffset())
	next := l.LogStartOffset()
	for r.Next() {
		rr := r.Record()
		require.Equal(t, next, rr.Offset, "a record skipped")
		require.Equal(t, string(rec(next).Value), string(rr.Value))
		next++
	}
	return next, r.Err()
}

// damagedLog writes 200 records in batches of 10 to segments of 4
// batches, closes the log cleanly, lets damage change its directory, and
// reopens it, after a clean shutdown or, with unclean, after a crash
// whose recovery point lies in the last segment (everything before it is
// trusted unread).
func damagedLog(t *testing.T, unclean bool, damage func(dir string, bases []int64)) (string, *Log, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p-0")
	opts := Options{SegmentBytes: 4*int64(len(buildBatch(t, rec(0), rec(1), rec(2), rec(3), rec(4), rec(5), rec(6), rec(7), rec(8), rec(9)))) + 40,
		IndexIntervalBytes: 100, RetentionCheckInterval: -1}
	l, err := Open(dir, opts)
	require.NoError(t, err)
	appendN(t, l, 0, 200, 10)
	bases := segmentBases(l)
	require.GreaterOrEqual(t, len(bases), 5)
	require.NoError(t, l.Close())
	damage(dir, bases)
	if unclean {
		require.NoError(t, os.Remove(filepath.Join(dir, cleanShutdownMarker)))
	}
	l, err = Open(dir, opts)
	if err == nil {
		t.Cleanup(func() { l.Close() })
	}
	return dir, l, err
}

// fileSizes returns the size of every file in dir.
func fileSizes(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]int64{}
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		out[e.Name()] = info.Size()
	}
	return out
}

// requireSegmentFilesKept checks that every segment file of before (from
// fileSizes) is in dir at the same size.
func requireSegmentFilesKept(t *testing.T, dir string, before map[string]int64) {
	t.Helper()
	after := fileSizes(t, dir)
	for name, size := range before {
		if _, _, ok := segment.ParseFileName(name); ok {
			require.Equal(t, size, after[name], "%s is left as it was", name)
		}
	}
}

// TestDamagedBaseOffsetBelowItsPlace rewrites the base offset of a batch
// in the middle of a cleanly closed log (a field no CRC covers) to an
// offset below the batch before it. A reader must not skip what the batch
// would have held: it reads the records before the damage, one after
// another, and then fails with ErrCorrupt, as do Read and ReadTo there.
func TestDamagedBaseOffsetBelowItsPlace(t *testing.T) {
	l := cleanLogDamagedAt(t, 10, func(b record.Batch) { b.SetBaseOffset(5) })
	n, err := readUntilError(t, l)
	require.ErrorIs(t, err, ErrCorrupt)
	require.GreaterOrEqual(t, n, int64(8), "the records well before the damage are read")
	require.LessOrEqual(t, n, int64(10))
	_, _, err = l.Read(nil, 10, ReadOptions{})
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = l.ReadTo(&bytes.Buffer{}, 10, ReadOptions{})
	require.ErrorIs(t, err, ErrCorrupt)
}

// TestSegmentHoldingAnotherSegmentsBytes copies the first segment's log
// file over the third's. After a clean shutdown the files are trusted
// unread: the first read in that segment checks its first batch against
// its name and fails with ErrCorrupt naming the file, rather than reading
// it as a gap. Recovery refuses it too, and cuts nothing.
func TestSegmentHoldingAnotherSegmentsBytes(t *testing.T) {
	copyFirst := func(dir string, bases []int64) {
		data, err := os.ReadFile(segment.Path(dir, bases[0], segment.LogExt))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(segment.Path(dir, bases[2], segment.LogExt), data, 0o644))
	}
	t.Run("clean", func(t *testing.T) {
		_, l, err := damagedLog(t, false, copyFirst)
		require.NoError(t, err)
		n, err := readUntilError(t, l)
		require.ErrorIs(t, err, ErrCorrupt)
		require.ErrorIs(t, err, segment.ErrMisnamed)
		require.ErrorContains(t, err, segment.FileName(l.segs.Load().segs[2].BaseOffset(), segment.LogExt))
		require.Equal(t, l.segs.Load().segs[2].BaseOffset(), n, "up to the damaged segment")
	})
	t.Run("unclean", func(t *testing.T) {
		var before map[string]int64
		dir, _, err := damagedLog(t, true, func(dir string, bases []int64) {
			copyFirst(dir, bases)
			require.NoError(t, os.Remove(filepath.Join(dir, recoveryPointFile)))
			before = fileSizes(t, dir)
		})
		require.ErrorIs(t, err, ErrCorrupt)
		require.ErrorIs(t, err, segment.ErrMisnamed)
		requireSegmentFilesKept(t, dir, before)
	})
}

// TestRenamedSegmentIsRefused renames a segment's files to a base offset
// 1000 past its own, so that it sorts last. Recovery must not delete its
// batches as damage: Open fails with ErrCorrupt naming it, and every file
// is kept.
func TestRenamedSegmentIsRefused(t *testing.T) {
	for _, unclean := range []bool{false, true} {
		var before map[string]int64
		dir, _, err := damagedLog(t, unclean, func(dir string, bases []int64) {
			for _, ext := range []string{segment.LogExt, segment.IndexExt, segment.TimeIndexExt} {
				require.NoError(t, os.Rename(segment.Path(dir, bases[1], ext), segment.Path(dir, bases[1]+1000, ext)))
			}
			before = fileSizes(t, dir)
		})
		require.ErrorIs(t, err, ErrCorrupt, "unclean %v", unclean)
		require.ErrorIs(t, err, segment.ErrMisnamed)
		requireSegmentFilesKept(t, dir, before)
	}
}

// TestEmptiedMiddleSegments cuts two middle segments to 0 bytes. The
// segments are trusted unread (after a clean shutdown, or below the
// recovery point after a crash): a reader that reaches them fails with
// ErrCorrupt instead of stopping as if the log ended there, or skipping
// to the next segment.
func TestEmptiedMiddleSegments(t *testing.T) {
	for _, unclean := range []bool{false, true} {
		_, l, err := damagedLog(t, unclean, func(dir string, bases []int64) {
			for _, base := range bases[1:3] {
				require.NoError(t, os.Truncate(segment.Path(dir, base, segment.LogExt), 0))
			}
		})
		require.NoError(t, err)
		require.Equal(t, int64(200), l.LogEndOffset())
		n, err := readUntilError(t, l)
		require.ErrorIs(t, err, ErrCorrupt, "unclean %v", unclean)
		require.Equal(t, l.segs.Load().segs[1].BaseOffset(), n)
		_, _, err = l.Read(nil, n+5, ReadOptions{})
		require.ErrorIs(t, err, ErrCorrupt)
		// The segments after them still read.
		last := l.segs.Load().segs[3].BaseOffset()
		require.Equal(t, values(last, 200-last), readAll(t, l, last))
	}
}

// TestSealedSegmentCutAtABatchBoundary cuts the tail of a middle segment
// at a batch boundary, below its last index entry. The offset index names
// a batch past the end of the file: the first read there is ErrCorrupt,
// not a gap.
func TestSealedSegmentCutAtABatchBoundary(t *testing.T) {
	_, l, err := damagedLog(t, false, func(dir string, bases []int64) {
		path := segment.Path(dir, bases[1], segment.LogExt)
		info, err := os.Stat(path)
		require.NoError(t, err)
		require.NoError(t, os.Truncate(path, info.Size()/4))
	})
	require.NoError(t, err)
	_, err = readUntilError(t, l)
	require.ErrorIs(t, err, ErrCorrupt)
}
