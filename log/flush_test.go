package log

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// memLog opens a log on a fresh in-memory filesystem whose directory is
// durable, so that crash clones can be taken of it.
func memLog(t *testing.T, opts Options) (*Log, *vfs.MemFS) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	require.NoError(t, m.SyncDir("/"))
	opts.FS = m
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l, m
}

// survivors reopens a crash clone and returns its log end.
func survivors(t *testing.T, m *vfs.MemFS) int64 {
	t.Helper()
	cl, err := Open("/d/p", Options{FS: m.CrashClone(vfs.CrashOptions{})})
	require.NoError(t, err)
	defer cl.Close()
	return cl.LogEndOffset()
}

func TestFlushEveryN(t *testing.T) {
	l, m := memLog(t, Options{Flush: FlushEveryN, FlushRecords: 25})
	appendN(t, l, 0, 20, 10)
	require.Less(t, l.RecoveryPoint(), int64(20), "20 records: below the mark, nothing flushed")
	require.Equal(t, int64(0), survivors(t, m))
	appendN(t, l, 20, 10, 10)
	require.Equal(t, int64(30), l.RecoveryPoint(), "the append that crosses 25 records flushes")
	require.Equal(t, int64(30), survivors(t, m))
	appendN(t, l, 30, 10, 10)
	require.Equal(t, int64(30), survivors(t, m), "the count starts again after a flush")
}

func TestFlushInterval(t *testing.T) {
	l, m := memLog(t, Options{Flush: FlushInterval, FlushInterval: 5 * time.Millisecond})
	appendN(t, l, 0, 40, 10)
	require.Eventually(t, func() bool { return l.RecoveryPoint() == 40 }, 10*time.Second, time.Millisecond,
		"the background flusher reaches the log end")
	require.Equal(t, int64(40), survivors(t, m))
}

func TestFlushNeverLeavesDataToSync(t *testing.T) {
	l, m := memLog(t, Options{})
	appendN(t, l, 0, 40, 10)
	require.Equal(t, int64(0), survivors(t, m), "nothing is fsynced on its own")
	require.NoError(t, l.Sync(t.Context()))
	require.Equal(t, int64(40), l.RecoveryPoint())
	require.Equal(t, int64(40), survivors(t, m))
}

// TestSyncGivesUpWhenItsContextEnds holds one fsync on the disk: a Sync
// waiting behind it returns its context's error when the context ends,
// and once the disk answers, a Sync makes every record durable.
func TestSyncGivesUpWhenItsContextEnds(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	require.NoError(t, m.SyncDir("/"))
	var block atomic.Bool
	entered, release := make(chan struct{}), make(chan struct{})
	fsys := vfs.Hook(m, func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && strings.HasSuffix(op.Path, segment.LogExt) && block.CompareAndSwap(true, false) {
			close(entered)
			<-release
		}
		return nil
	})
	l, err := Open("/d/p", Options{FS: fsys, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer l.Close()
	appendN(t, l, 0, 10, 1)

	block.Store(true)
	held := make(chan error, 1)
	go func() { held <- l.Sync(context.Background()) }()
	<-entered
	appendN(t, l, 10, 10, 1) // past what the held fsync covers

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, l.Sync(ctx), context.DeadlineExceeded)
	ended, stop := context.WithCancel(t.Context())
	stop()
	require.ErrorIs(t, l.Sync(ended), context.Canceled, "an ended context is refused before any wait")
	require.Less(t, l.RecoveryPoint(), int64(20))

	close(release)
	require.NoError(t, <-held)
	require.NoError(t, l.Sync(t.Context()))
	require.Equal(t, int64(20), l.RecoveryPoint())
	clone := m.CrashClone(vfs.CrashOptions{})
	cl, err := Open("/d/p", Options{FS: clone, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer cl.Close()
	require.Equal(t, values(0, 20), readAll(t, cl, 0))
}
