package vfs

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

// hookFS passes every call to its FS, first calling hook with the name of
// the operation; an error from hook fails the operation.
type hookFS struct {
	FS
	hook func(op string) error
}

type hookFile struct {
	File
	fs *hookFS
}

func (h *hookFS) Create(name string) (File, error) {
	if err := h.hook("create"); err != nil {
		return nil, err
	}
	f, err := h.FS.Create(name)
	if err != nil {
		return nil, err
	}
	return &hookFile{File: f, fs: h}, nil
}

func (h *hookFS) Rename(oldname, newname string) error {
	if err := h.hook("rename"); err != nil {
		return err
	}
	return h.FS.Rename(oldname, newname)
}

func (h *hookFS) SyncDir(dir string) error {
	if err := h.hook("syncdir"); err != nil {
		return err
	}
	return h.FS.SyncDir(dir)
}

func (f *hookFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.fs.hook("write"); err != nil {
		return 0, err
	}
	return f.File.WriteAt(p, off)
}

func (f *hookFile) Sync() error {
	if err := f.fs.hook("sync"); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *hookFile) Close() error {
	if err := f.fs.hook("close"); err != nil {
		return err
	}
	return f.File.Close()
}

func TestWriteFileAtomicFailures(t *testing.T) {
	for _, failAt := range []string{"create", "write", "sync", "close", "rename", "syncdir"} {
		t.Run(failAt, func(t *testing.T) {
			m := NewMem()
			require.NoError(t, m.MkdirAll("/p", 0o755))
			require.NoError(t, WriteFileAtomic(m, "/p/state", []byte("old\n")))
			injected := errors.New("injected failure")
			h := &hookFS{FS: m, hook: func(op string) error {
				if op == failAt {
					return injected
				}
				return nil
			}}
			err := WriteFileAtomic(h, "/p/state", []byte("new\n"))
			require.ErrorIs(t, err, injected)
			require.Contains(t, err.Error(), "/p/state")

			names, err := m.List("/p")
			require.NoError(t, err)
			require.Equal(t, []string{"state"}, names, "temporary file removed")
			want := "old\n"
			if failAt == "syncdir" {
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
