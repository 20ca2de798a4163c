package vfs

import (
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFaultFSFailsTheChosenOperation(t *testing.T) {
	m := NewMem()
	f := NewFaultFS(m, FaultPlan{FailAt: 1, Match: func(op Op) bool { return op.Kind == OpWrite }, ShortWrite: true, Err: syscall.ENOSPC})
	file, err := f.Create("/a")
	require.NoError(t, err)
	_, err = file.WriteAt([]byte("first"), 0)
	require.NoError(t, err)
	require.False(t, f.Fired())
	n, err := file.WriteAt([]byte("second"), 5)
	require.ErrorIs(t, err, syscall.ENOSPC)
	var ie *InjectedError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, OpWrite, ie.Op.Kind)
	require.Equal(t, 3, n, "half the bytes were written")
	require.True(t, f.Fired())
	_, err = file.WriteAt([]byte("third"), 8)
	require.NoError(t, err, "not sticky: only the one fails")
	require.Equal(t, 3, f.Count())
	got, err := ReadFile(m, "/a", 100)
	require.NoError(t, err)
	require.Equal(t, "firstsecthird", string(got))
}

func TestFaultFSStickyAndNonWrites(t *testing.T) {
	f := NewFaultFS(NewMem(), FaultPlan{FailAt: 2, Sticky: true})
	require.NoError(t, f.MkdirAll("/d", 0o755)) // 0
	file, err := f.Create("/d/x")               // 1
	require.NoError(t, err)
	err = file.Sync() // 2: fails
	require.ErrorIs(t, err, syscall.EIO)
	require.True(t, strings.Contains(err.Error(), "sync"))
	require.Error(t, f.SyncDir("/d"), "sticky: everything after fails")
	_, err = f.Stat("/d/x")
	require.Error(t, err)

	counting := NewFaultFS(NewMem(), FaultPlan{FailAt: -1})
	require.NoError(t, counting.MkdirAll("/d", 0o755))
	require.Equal(t, 1, counting.Count())
}
