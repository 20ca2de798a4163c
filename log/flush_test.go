package log

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
	require.NoError(t, l.Sync())
	require.Equal(t, int64(40), l.RecoveryPoint())
	require.Equal(t, int64(40), survivors(t, m))
}
