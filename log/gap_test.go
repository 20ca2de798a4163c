package log

import (
	"io/fs"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// followerBatch encodes records at offsets offset, offset+1, ... into one
// batch of leader epoch 3, as a leader's log would hand it to a follower.
func followerBatch(t *testing.T, offset int64, n int) []byte {
	return followerBatchOfEpoch(t, offset, n, 3)
}

// offsetsOf reads every record of l from its start and returns their
// offsets and checks each holds the value written at it.
func offsetsOf(t *testing.T, l *Log) []int64 {
	t.Helper()
	var out []int64
	r := l.NewReader(l.LogStartOffset())
	for r.Next() {
		rr := r.Record()
		require.Equal(t, string(rec(rr.Offset).Value), string(rr.Value))
		out = append(out, rr.Offset)
	}
	require.NoError(t, r.Err())
	return out
}

// TestRecoveryKeepsFollowerGaps copies a leader's log with gaps in its
// offsets (compaction, deleted records) as a follower does, fsyncing
// every append, and crashes without closing: recovery must keep every
// record, the ones after a gap that falls where a segment rolls included,
// and one after a gap wider than a segment's 32-bit relative offsets.
func TestRecoveryKeepsFollowerGaps(t *testing.T) {
	far := int64(math.MaxInt32) + 10
	for _, c := range []struct {
		name    string
		offsets []int64
	}{
		{"at a roll", []int64{0, 1, 2, 10, 11}},
		{"past 2^31", []int64{0, 1, 2, far, far + 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
				if m, ok := fsys.(*vfs.MemFS); ok {
					require.NoError(t, m.SyncDir("/"))
				}
				opts := Options{FS: fsys, Flush: FlushAlways, RetentionCheckInterval: -1,
					SegmentBytes: 3*int64(len(followerBatch(t, 0, 1))) + 10} // three batches each
				l, err := Open(dir, opts)
				require.NoError(t, err)
				for _, off := range c.offsets {
					_, err := l.AppendFollower(followerBatch(t, off, 1))
					require.NoError(t, err)
				}
				require.Greater(t, l.NumSegments(), 1, "the gap falls where the log rolls")
				require.NoError(t, l.Sync(t.Context()))
				l.abandon()
				if m, ok := fsys.(*vfs.MemFS); ok {
					// A power cut: only what was synced survives.
					opts.FS = m.CrashClone(vfs.CrashOptions{})
				}
				// Before the flusher's first checkpoint, so that recovery
				// reads every segment.
				if err := opts.FS.Remove(filepath.Join(dir, recoveryPointFile)); err != nil {
					require.ErrorIs(t, err, fs.ErrNotExist)
				}
				l = mustOpen(t, dir, opts)
				require.Equal(t, c.offsets[len(c.offsets)-1]+1, l.LogEndOffset())
				require.Equal(t, c.offsets, offsetsOf(t, l))
			})
		})
	}
}

// TestFollowerAppendWiderThanASegment appends, as a follower, two batches
// whose offsets lie more than 2^31 apart in one call. One segment cannot
// hold both in its 32-bit relative offsets: the log writes them to two,
// and they survive a clean reopen.
func TestFollowerAppendWiderThanASegment(t *testing.T) {
	far := int64(math.MaxInt32) + 5
	dir := filepath.Join(t.TempDir(), "p-0")
	l := mustOpen(t, dir, Options{})
	data := append(followerBatch(t, 1, 1), followerBatch(t, far, 1)...)
	info, err := l.AppendFollower(data)
	require.NoError(t, err)
	require.Equal(t, int64(1), info.FirstOffset)
	require.Equal(t, far, info.LastOffset)
	require.Equal(t, 2, info.Batches)
	require.Equal(t, far+1, l.LogEndOffset())
	require.Equal(t, []int64{0, far}, segmentBases(l))
	require.NoError(t, l.Close())

	l = mustOpen(t, dir, Options{})
	require.Equal(t, far+1, l.LogEndOffset())
	require.Equal(t, []int64{1, far}, offsetsOf(t, l))
	segs, err := l.Segments()
	require.NoError(t, err)
	require.Len(t, segs, 2)
	require.Equal(t, int64(1), segs[0].LastOffset)
	require.Equal(t, far, segs[1].LastOffset)
}
