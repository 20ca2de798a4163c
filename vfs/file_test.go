package vfs

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteFileAtomicFailures(t *testing.T) {
	for _, failAt := range []OpKind{OpCreate, OpWrite, OpSync, OpClose, OpRename, OpSyncDir} {
		t.Run(failAt.String(), func(t *testing.T) {
			m := NewMem()
			require.NoError(t, m.MkdirAll("/p", 0o755))
			require.NoError(t, WriteFileAtomic(m, "/p/state", []byte("old\n")))
			injected := errors.New("injected failure")
			h := Hook(m, func(op Op) error {
				if op.Kind == failAt {
					return injected
				}
				return nil
			})
			err := WriteFileAtomic(h, "/p/state", []byte("new\n"))
			require.ErrorIs(t, err, injected)
			require.Contains(t, err.Error(), "/p/state")

			names, err := m.List("/p")
			require.NoError(t, err)
			require.Equal(t, []string{"state"}, names, "temporary file removed")
			want := "old\n"
			if failAt == OpSyncDir {
				want = "new\n" // in place, not yet durable
			}
			got, err := ReadFile(m, "/p/state", 100)
			require.NoError(t, err)
			require.Equal(t, want, string(got))
		})
	}
}

func TestWriteFileAtomicSurvivesCrash(t *testing.T) {
	m := NewMem()
	require.NoError(t, m.MkdirAll("/p", 0o755))
	require.NoError(t, m.SyncDir("/"))
	require.NoError(t, WriteFileAtomic(m, "/p/state", []byte("v1")))
	c := m.CrashClone(CrashOptions{})
	got, err := ReadFile(c, "/p/state", 100)
	require.NoError(t, err)
	require.Equal(t, "v1", string(got))
}

func TestReadFileLimit(t *testing.T) {
	m := NewMem()
	require.NoError(t, WriteFileAtomic(m, "/f", bytes.Repeat([]byte("x"), 10)))
	got, err := ReadFile(m, "/f", 10)
	require.NoError(t, err)
	require.Len(t, got, 10)
	_, err = ReadFile(m, "/f", 9)
	require.ErrorIs(t, err, ErrFileTooLarge)
	_, err = ReadFile(m, "/missing", 9)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestHookSeesEveryOperationAndCanFailIt(t *testing.T) {
	var seen []Op
	fail := OpKind(255)
	h := Hook(NewMem(), func(op Op) error {
		seen = append(seen, op)
		if op.Kind == fail {
			return errors.New("injected")
		}
		return nil
	})
	require.NoError(t, h.MkdirAll("/d", 0o755))
	f, err := h.Create("/d/f")
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("abc"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
	require.NoError(t, h.Rename("/d/f", "/d/g"))
	require.NoError(t, h.SyncDir("/d"))
	kinds := make([]OpKind, len(seen))
	for i, op := range seen {
		kinds[i] = op.Kind
	}
	require.Equal(t, []OpKind{OpMkdirAll, OpCreate, OpWrite, OpSync, OpClose, OpRename, OpSyncDir}, kinds)
	require.Equal(t, "/d/f", seen[2].Path)

	fail = OpRename
	require.ErrorContains(t, h.Rename("/d/g", "/d/h"), "injected")
	_, err = h.Stat("/d/g")
	require.NoError(t, err, "a failed operation does not run")
}

func TestMkdirAllSyncedSurvivesCrash(t *testing.T) {
	m := NewMem()
	require.NoError(t, MkdirAllSynced(m, "/a/b/c"))
	require.NoError(t, MkdirAllSynced(m, "/a/b/c"), "an existing directory is fine")
	c := m.CrashClone(CrashOptions{})
	_, err := c.Stat("/a/b/c")
	require.NoError(t, err)

	require.NoError(t, m.MkdirAll("/x/y", 0o755))
	_, err = m.CrashClone(CrashOptions{}).Stat("/x")
	require.ErrorIs(t, err, fs.ErrNotExist, "plain MkdirAll leaves the new directory unsynced")
}
