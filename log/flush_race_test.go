package log

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestTruncationDuringFsyncKeepsTheRecoveryPoint holds an fsync of a
// segment in flight while TruncateTo(50) runs, then lets it finish. The
// fsync's target was the old log end; the recovery point must not jump
// back past the new end, or the FlushAlways appends that follow would take
// themselves for already synced: they must each be fsynced, and a power
// cut after them must keep all of them.
func TestTruncationDuringFsyncKeepsTheRecoveryPoint(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	require.NoError(t, m.SyncDir("/"))
	var block atomic.Bool
	entered, release := make(chan struct{}), make(chan struct{})
	var logSyncs atomic.Int64
	fsys := vfs.Hook(m, func(op vfs.Op) error {
		if op.Kind != vfs.OpSync || !strings.HasSuffix(op.Path, segment.LogExt) {
			return nil
		}
		logSyncs.Add(1)
		if block.CompareAndSwap(true, false) {
			close(entered)
			<-release
		}
		return nil
	})
	opts := Options{FS: fsys, Flush: FlushAlways, RetentionCheckInterval: -1}
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	defer l.Close()
	appendN(t, l, 0, 100, 10)
	require.Equal(t, int64(100), l.RecoveryPoint())

	// An append whose fsync blocks.
	block.Store(true)
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := l.AppendRecords(rec(100))
		require.NoError(t, err)
	})
	<-entered
	require.NoError(t, l.TruncateTo(50))
	require.Equal(t, int64(50), l.LogEndOffset())
	close(release)
	wg.Wait()
	require.LessOrEqual(t, l.RecoveryPoint(), l.LogEndOffset(), "the recovery point never passes the log end")

	before := logSyncs.Load()
	appendN(t, l, 50, 60, 1)
	require.Equal(t, int64(60), logSyncs.Load()-before, "every FlushAlways append after the truncation is fsynced")
	require.Equal(t, int64(110), l.RecoveryPoint())

	clone := m.CrashClone(vfs.CrashOptions{})
	cl, err := Open("/d/p", Options{FS: clone, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer cl.Close()
	require.Equal(t, int64(110), cl.LogEndOffset(), "a power cut keeps every acknowledged record")
	require.Equal(t, values(0, 110), readAll(t, cl, 0))
}

// TestSyncRacingTruncationsUnderRace has Sync run in a loop while another
// goroutine truncates and appends: the recovery point must never be seen
// above the log end, and a power cut at the end keeps every record.
func TestSyncRacingTruncationsUnderRace(t *testing.T) {
	l, m := memLog(t, Options{Flush: FlushAlways, SegmentBytes: 2000, RetentionCheckInterval: -1})
	appendN(t, l, 0, 50, 5)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			if err := l.Sync(t.Context()); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for i := range 200 {
		end := l.LogEndOffset()
		cut := max(end-1-int64(i%3), 0)
		require.NoError(t, l.TruncateTo(cut))
		require.LessOrEqual(t, l.RecoveryPoint(), l.LogEndOffset())
		appendN(t, l, l.LogEndOffset(), 4, 1)
	}
	stop.Store(true)
	wg.Wait()
	end := l.LogEndOffset()
	require.Equal(t, end, survivors(t, m))
}
