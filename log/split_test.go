package log

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// legacyLog writes a log of one segment at base whose batches, at the
// given offsets with n records each, were appended by a writer that did
// not check the segment's 32-bit relative offsets, as Kafka's before 2.0
// could leave one: no index files, no clean-shutdown marker.
func legacyLog(t *testing.T, base int64, batches [][2]int64) *vfs.MemFS {
	t.Helper()
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d/p", 0o755))
	require.NoError(t, m.SyncDir("/"))
	require.NoError(t, m.SyncDir("/d"))
	var data []byte
	for _, b := range batches {
		data = append(data, followerBatch(t, b[0], int(b[1]))...)
	}
	writeMemFile(t, m, segment.Path("/d/p", base, segment.LogExt), data)
	require.NoError(t, m.SyncDir("/d/p"))
	return m
}

// recordOffsets lists the offsets the batches of legacyLog hold.
func recordOffsets(batches [][2]int64) []int64 {
	var out []int64
	for _, b := range batches {
		for i := range b[1] {
			out = append(out, b[0]+i)
		}
	}
	return out
}

// TestSplitOnOffsetOverflow is Kafka's UnifiedLogTest.testSplitOnOffsetOverflow
// and testDegenerateSegmentSplit on Open: a segment whose offsets overflow
// its relative offsets is split, each part named by its first batch's
// offset, and every record is kept.
func TestSplitOnOffsetOverflow(t *testing.T) {
	const max32 = math.MaxInt32
	for _, c := range []struct {
		name    string
		base    int64
		batches [][2]int64 // base offset, records
		bases   []int64    // segments after the split
	}{
		{"two parts", 0, [][2]int64{{0, 1}, {1, 1}, {max32 + 2, 1}, {max32 + 3, 1}}, []int64{0, max32 + 2}},
		{"three parts", 0, [][2]int64{{0, 1}, {max32, 2}, {2 * max32, 1}, {3 * max32, 1}}, []int64{0, max32, 3 * max32}},
		{"every batch overflows", 0, [][2]int64{{max32 + 1, 1}, {max32 + 2, 1}}, []int64{max32 + 1}},
		{"the last offset overflows", 0, [][2]int64{{max32 - 1, 3}}, []int64{max32 - 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := legacyLog(t, c.base, c.batches)
			want := recordOffsets(c.batches)
			opts := Options{FS: m, RetentionCheckInterval: -1}
			l := mustOpen(t, "/d/p", opts)
			require.Equal(t, c.bases, segmentBases(l))
			require.Equal(t, want, offsetsOf(t, l))
			require.Equal(t, want[len(want)-1]+1, l.LogEndOffset())
			segs, err := l.Segments()
			require.NoError(t, err)
			for _, s := range segs {
				require.LessOrEqual(t, s.LastOffset-s.BaseOffset, int64(max32), "no segment overflows")
			}
			// The log takes appends after the split, and keeps all across
			// an unclean reopen, which must not split again.
			_, err = l.AppendRecords(rec(l.LogEndOffset()))
			require.NoError(t, err)
			want = append(want, l.LogEndOffset()-1)
			require.NoError(t, l.Sync(t.Context()))
			l.abandon()
			l = mustOpen(t, "/d/p", opts)
			require.Equal(t, c.bases, segmentBases(l))
			require.Equal(t, want, offsetsOf(t, l))
		})
	}
}

// TestSplitIsCrashSafe takes a crash clone at every durability boundary
// of the Open that splits an overflowing segment, and reopens each: every
// clone must hold every record, split or not yet.
func TestSplitIsCrashSafe(t *testing.T) {
	const max32 = math.MaxInt32
	batches := [][2]int64{{0, 1}, {1, 2}, {max32 + 2, 1}, {max32 + 3, 2}, {2*max32 + 10, 1}}
	m := legacyLog(t, 0, batches)
	want := recordOffsets(batches)
	cfs := &cloningFS{MemFS: m}
	cfs.cloning(true)
	l, err := Open("/d/p", Options{FS: cfs, RetentionCheckInterval: -1})
	require.NoError(t, err)
	cfs.cloning(false)
	require.Equal(t, want, offsetsOf(t, l))
	require.NoError(t, l.Close())
	require.NotEmpty(t, cfs.clones)
	for i, clone := range cfs.clones {
		cl, err := Open("/d/p", Options{FS: clone, RetentionCheckInterval: -1})
		require.NoError(t, err, "clone %d of %d", i, len(cfs.clones))
		require.Equal(t, want, offsetsOf(t, cl), "clone %d of %d", i, len(cfs.clones))
		require.NoError(t, cl.Close())
	}
	t.Logf("%d clones", len(cfs.clones))
}
