package log

import (
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
