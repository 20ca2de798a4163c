package log

import (
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// failFirstLogRemove returns a filesystem over m that fails the first
// removal of a segment's log file with EIO, once armed.
func failFirstLogRemove(m *vfs.MemFS) (*vfs.FaultFS, func()) {
	var armed atomic.Bool
	f := vfs.NewFaultFS(m, vfs.FaultPlan{FailAt: 0, Err: syscall.EIO, Match: func(op vfs.Op) bool {
		return armed.Load() && op.Kind == vfs.OpRemove && strings.HasSuffix(op.Path, segment.LogExt)
	}})
	return f, func() { armed.Store(true) }
}

// TestFailedRemoveDuringTruncateIsSticky fails the first segment removal
// of TruncateTo(20). The truncation has begun (its intent is on disk), so
// the log must take no append until it is reopened, and the reopen
// finishes the truncation: nothing acknowledged after the failure exists
// to be cut by it, and the segment file that could not be removed is gone
// before a roll could take its name again.
func TestFailedRemoveDuringTruncateIsSticky(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	fsys, arm := failFirstLogRemove(m)
	opts := Options{FS: fsys, Flush: FlushAlways, SegmentBytes: 600, RetentionCheckInterval: -1}
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	appendN(t, l, 0, 70, 1)
	require.Greater(t, l.NumSegments(), 3)

	arm()
	err = l.TruncateTo(20)
	require.ErrorIs(t, err, syscall.EIO)
	require.True(t, fsys.Fired())
	_, err = l.AppendRecords(rec(20))
	require.ErrorIs(t, err, syscall.EIO, "no append is acknowledged after a truncation failed part way")
	require.ErrorIs(t, l.Roll(), syscall.EIO)
	l.Close()

	opts.FS = m
	l, err = Open("/d/p", opts)
	require.NoError(t, err)
	defer l.Close()
	require.Equal(t, int64(20), l.LogEndOffset(), "Open finishes the truncation")
	names, err := m.List("/d/p")
	require.NoError(t, err)
	for _, name := range names {
		require.NotEqual(t, truncateIntentFile, name)
		if base, ext, ok := segment.ParseFileName(name); ok && ext == segment.LogExt {
			require.LessOrEqual(t, base, int64(20), "no segment past the cut is left: %s", name)
		}
	}
	// The log goes on past the old segments' base offsets, and keeps it.
	appendN(t, l, 20, 50, 1)
	require.NoError(t, l.Close())
	l = mustOpen(t, "/d/p", opts)
	require.Equal(t, values(0, 70), readAll(t, l, 0))
}

// TestFailedRemoveDuringRetentionIsFinishedOnReopen fails the first
// segment removal of a retention pass. The new log start was written
// first, so the log goes on taking appends; Open deletes what is left
// below the start, and every append acknowledged since is there.
func TestFailedRemoveDuringRetentionIsFinishedOnReopen(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	fsys, arm := failFirstLogRemove(m)
	opts := Options{FS: fsys, Flush: FlushAlways, SegmentBytes: 600, RetentionAge: -1, RetentionBytes: 1500,
		RetentionCheckInterval: -1}
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	appendN(t, l, 0, 70, 1)

	arm()
	_, err = l.EnforceRetention()
	require.ErrorIs(t, err, syscall.EIO)
	start := l.LogStartOffset()
	require.Positive(t, start)
	appendN(t, l, 70, 30, 1)
	require.NoError(t, l.Close())

	opts.FS = m
	l, err = Open("/d/p", opts)
	require.NoError(t, err)
	defer l.Close()
	require.Equal(t, start, l.LogStartOffset())
	require.Equal(t, values(start, 100-start), readAll(t, l, start))
	names, err := m.List("/d/p")
	require.NoError(t, err)
	for _, name := range names {
		if base, ext, ok := segment.ParseFileName(name); ok && ext == segment.LogExt {
			require.GreaterOrEqual(t, base, l.segs.Load().segs[0].BaseOffset(), "what retention left below the start is deleted: %s", name)
		}
	}
}
