package log

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// TestOpenMakesNewParentsDurable opens a log whose parent directories do
// not exist yet: a synced append must survive a crash, which it cannot if
// the new directories' entries were left unsynced.
func TestOpenMakesNewParentsDurable(t *testing.T) {
	m := vfs.NewMem()
	l := mustOpen(t, "/a/b/p-0", Options{FS: m, Flush: FlushAlways})
	appendN(t, l, 0, 3, 3)
	c := m.CrashClone(vfs.CrashOptions{})
	l2, err := Open("/a/b/p-0", Options{FS: c})
	require.NoError(t, err)
	defer l2.Close()
	require.Equal(t, int64(3), l2.LogEndOffset())
}

// TestCleanMarkerStaysUntilTheFirstWrite opens a cleanly closed log: the
// clean-shutdown marker stays on disk while the log is only read, so a
// crash then still finds a clean log, and the first write of every kind
// removes it, durably, before it writes.
func TestCleanMarkerStaysUntilTheFirstWrite(t *testing.T) {
	writes := map[string]func(l *Log) error{
		"append":    func(l *Log) error { _, err := l.AppendRecords(rec(30)); return err },
		"roll":      func(l *Log) error { return l.Roll() },
		"truncate":  func(l *Log) error { return l.TruncateTo(10) },
		"delete":    func(l *Log) error { _, err := l.DeleteRecordsBefore(10); return err },
		"retention": func(l *Log) error { _, err := l.EnforceRetention(); return err },
		"epoch":     func(l *Log) error { return l.SetLeaderEpoch(7) },
		"truncate fully": func(l *Log) error {
			return l.TruncateFullyAndStartAt(100)
		},
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			m := vfs.NewMem()
			opts := Options{FS: m, MaxIndexBytes: 4096, SegmentBytes: 1000, RetentionAge: -1, RetentionBytes: 1, RetentionCheckInterval: -1}
			l := mustOpen(t, "/p", opts)
			appendN(t, l, 0, 30, 5)
			require.NoError(t, l.Close())
			marker := "/p/" + cleanShutdownMarker

			l, err := Open("/p", opts)
			require.NoError(t, err)
			require.Equal(t, readAll(t, l, 0), values(0, 30))
			require.True(t, memFileExists(m, marker), "reading leaves the marker")
			idle := m.CrashClone(vfs.CrashOptions{})
			require.True(t, memFileExists(idle, marker), "a crash now finds the log clean")

			require.NoError(t, write(l))
			require.False(t, memFileExists(m, marker), "the first write removes the marker")
			after := m.CrashClone(vfs.CrashOptions{})
			require.False(t, memFileExists(after, marker), "durably")
			require.NoError(t, l.Close())
			require.True(t, memFileExists(m, marker), "Close leaves it again")
		})
	}
}

func memFileExists(fsys vfs.FS, name string) bool {
	f, err := fsys.Open(name)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// TestIdleOpenAndCloseWriteNothing opens a cleanly closed log, reads it,
// runs retention that has nothing to delete and closes it: no file is
// created, written, resized, synced or removed, so an idle partition opens
// and closes without an fsync, and the next Open still finds it clean.
// Nor does it look for files that are not there.
func TestIdleOpenAndCloseWriteNothing(t *testing.T) {
	m := vfs.NewMem()
	opts := Options{FS: m, MaxIndexBytes: 4096, SegmentBytes: 1000, RetentionAge: -1, RetentionCheckInterval: -1}
	l := mustOpen(t, "/p", opts)
	appendN(t, l, 0, 30, 5)
	require.NoError(t, l.Close())

	var changes, missing []vfs.Op
	var mu sync.Mutex
	opts.FS = vfs.Hook(m, func(op vfs.Op) error {
		mu.Lock()
		defer mu.Unlock()
		switch op.Kind {
		case vfs.OpCreate, vfs.OpWrite, vfs.OpTruncate, vfs.OpSync, vfs.OpSyncDir, vfs.OpRemove, vfs.OpRemoveAll, vfs.OpRename:
			changes = append(changes, op)
		case vfs.OpOpen, vfs.OpOpenReadWrite, vfs.OpStat:
			// Open looks checkpoint and intent files up in its listing
			// of the directory rather than trying to open them.
			if _, err := m.Stat(op.Path); err != nil {
				missing = append(missing, op)
			}
		}
		return nil
	})
	for range 2 {
		l := mustOpen(t, "/p", opts)
		require.Equal(t, values(0, 30), readAll(t, l, 0))
		res, err := l.EnforceRetention()
		require.NoError(t, err)
		require.Zero(t, res.Segments)
		require.NoError(t, l.Close())
		mu.Lock()
		require.Empty(t, changes)
		require.Empty(t, missing, "files looked for that are not there")
		mu.Unlock()
		require.True(t, memFileExists(m, "/p/"+cleanShutdownMarker))
	}

	// The log is whole after all that, and takes writes again.
	l = mustOpen(t, "/p", Options{FS: m, MaxIndexBytes: 4096, SegmentBytes: 1000, RetentionCheckInterval: -1})
	appendN(t, l, 30, 10, 5)
	require.NoError(t, l.Close())
	l = mustOpen(t, "/p", Options{FS: m, MaxIndexBytes: 4096, SegmentBytes: 1000, RetentionCheckInterval: -1})
	require.Equal(t, values(0, 40), readAll(t, l, 0))
	require.NoError(t, l.Close())
}

// TestOpenedClean tells a log that a clean Close left, or that Open
// created, from one a crash left.
func TestOpenedClean(t *testing.T) {
	l, m := memLog(t, Options{RetentionCheckInterval: -1})
	require.True(t, l.OpenedClean(), "a new log has nothing to lose")
	appendN(t, l, 0, 10, 2)
	require.NoError(t, l.Close())

	l, err := Open("/d/p", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	require.True(t, l.OpenedClean(), "after a clean Close")
	appendN(t, l, 10, 5, 1) // the first write removes the marker
	crashed := m.CrashClone(vfs.CrashOptions{})
	require.NoError(t, l.Close())

	cl, err := Open("/d/p", Options{FS: crashed, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer cl.Close()
	require.False(t, cl.OpenedClean(), "after a crash")
}
