package vfs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCloneKeepsUnsyncedWritesAndTheirDurability: a process crash keeps
// every write, and a power cut after it keeps only what was synced before.
func TestCloneKeepsUnsyncedWritesAndTheirDurability(t *testing.T) {
	m := NewMem()
	require.NoError(t, MkdirAllSynced(m, "/d"))
	f, err := m.Create("/d/a")
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("synced"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, m.SyncDir("/d"))
	_, err = f.WriteAt([]byte("+cached"), 6)
	require.NoError(t, err)
	g, err := m.Create("/d/b") // an entry never synced
	require.NoError(t, err)
	_, err = g.WriteAt([]byte("new"), 0)
	require.NoError(t, err)
	lock, err := m.Lock("/d/.lock")
	require.NoError(t, err)

	killed := m.Clone()
	got, err := ReadFile(killed, "/d/a", 1<<10)
	require.NoError(t, err)
	require.Equal(t, "synced+cached", string(got), "the page cache survives a kill")
	got, err = ReadFile(killed, "/d/b", 1<<10)
	require.NoError(t, err)
	require.Equal(t, "new", string(got))
	l2, err := killed.Lock("/d/.lock")
	require.NoError(t, err, "a killed process holds no lock")
	require.NoError(t, l2.Close())

	// The original and the clone are independent.
	_, err = f.WriteAt([]byte("!"), 0)
	require.NoError(t, err)
	got, err = ReadFile(killed, "/d/a", 1<<10)
	require.NoError(t, err)
	require.Equal(t, "synced+cached", string(got))

	// A power cut after the kill loses what was never synced.
	cut := killed.CrashClone(CrashOptions{})
	got, err = ReadFile(cut, "/d/a", 1<<10)
	require.NoError(t, err)
	require.Equal(t, "synced", string(got))
	_, err = cut.Stat("/d/b")
	require.Error(t, err, "an unsynced entry is lost to a power cut")
	require.NoError(t, f.Close())
	require.NoError(t, g.Close())
	require.NoError(t, lock.Close())
}
