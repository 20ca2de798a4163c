package log

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// fixedNow is a clock that never moves, so that two runs write the same
// bytes.
func fixedNow() time.Time { return time.UnixMilli(1_700_000_000_000) }

// snapshotFS returns every file of fsys under dir with its contents.
func snapshotFS(t *testing.T, fsys vfs.FS, dir string) map[string]string {
	t.Helper()
	names, err := fsys.List(dir)
	require.NoError(t, err)
	out := make(map[string]string, len(names))
	for _, name := range names {
		data, err := vfs.ReadFile(fsys, dir+"/"+name, 1<<30)
		require.NoError(t, err)
		out[name] = string(data)
	}
	return out
}

// TestNoBackgroundIsDeterministic runs the same appends, rolls and
// retention twice without a background goroutine, taking a power-cut
// clone after every call: the clones are the same in both runs, and a
// roll's flush has happened by the time the call that rolled returns.
func TestNoBackgroundIsDeterministic(t *testing.T) {
	run := func() []map[string]string {
		m := vfs.NewMem()
		require.NoError(t, vfs.MkdirAllSynced(m, "/d"))
		before := runtime.NumGoroutine()
		opts := Options{FS: m, NoBackground: true, SegmentBytes: 600, RetentionBytes: 1500, Now: fixedNow}
		l, err := Open("/d/p", opts)
		require.NoError(t, err)
		require.Equal(t, before, runtime.NumGoroutine(), "NoBackground starts no goroutine")
		var clones []map[string]string
		for i := range 40 {
			_, err := l.AppendRecords(rec(int64(i)))
			require.NoError(t, err)
			if i%10 == 9 {
				require.NoError(t, l.Roll())
				_, err := l.EnforceRetention()
				require.NoError(t, err)
			}
			clones = append(clones, snapshotFS(t, m.CrashClone(vfs.CrashOptions{}), "/d/p"))
			if l.NumSegments() > 1 {
				segs, err := l.Segments()
				require.NoError(t, err)
				require.GreaterOrEqual(t, l.RecoveryPoint(), segs[len(segs)-1].BaseOffset,
					"the sealed segments are synced by the call that rolled")
			}
		}
		require.NoError(t, l.Close())
		return clones
	}
	first, second := run(), run()
	require.Equal(t, first, second)
}

func TestNoBackgroundFlushesRecoveryInOpen(t *testing.T) {
	l, m := memLog(t, Options{RetentionCheckInterval: -1})
	appendN(t, l, 0, 20, 2)
	require.NoError(t, l.Sync(t.Context()))
	appendN(t, l, 20, 10, 2) // not synced
	crashed := m.Clone()     // a kill: the page cache keeps them
	require.NoError(t, l.Close())

	cl, err := Open("/d/p", Options{FS: crashed, NoBackground: true})
	require.NoError(t, err)
	defer cl.Close()
	require.False(t, cl.OpenedClean())
	require.Equal(t, int64(30), cl.LogEndOffset())
	require.Equal(t, int64(30), cl.RecoveryPoint(), "Open synced what recovery read")
	again, err := Open("/d/p", Options{FS: crashed.CrashClone(vfs.CrashOptions{}), NoBackground: true})
	require.NoError(t, err)
	defer again.Close()
	require.Equal(t, int64(30), again.LogEndOffset(), "and a power cut after Open keeps it")
}

func TestNoBackgroundRefusesTimers(t *testing.T) {
	m := vfs.NewMem()
	_, err := Open("/d/p", Options{FS: m, NoBackground: true, Flush: FlushInterval})
	require.ErrorIs(t, err, ErrInvalidConfig)
	_, err = Open("/d/p", Options{FS: m, NoBackground: true, RetentionCheckInterval: 1})
	require.ErrorIs(t, err, ErrInvalidConfig)
	l, err := Open("/d/p", Options{FS: m, NoBackground: true})
	require.NoError(t, err)
	defer l.Close()
	require.Negative(t, l.Options().RetentionCheckInterval, "retention runs only when asked")
	opts := l.Options()
	opts.Flush = FlushInterval
	require.ErrorIs(t, l.Reconfigure(opts), ErrInvalidConfig)
}
