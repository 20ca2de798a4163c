package vfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMemPaths(t *testing.T) {
	m := NewMem()
	require.NoError(t, m.MkdirAll("db//topic-0/", 0o755))
	writeFile(t, m, "/db/./topic-0/../topic-0/a.log", []byte("x"))

	for _, name := range []string{"db/topic-0/a.log", "/db/topic-0/a.log", "/db/topic-0//a.log", "/../db/topic-0/a.log"} {
		fi, err := m.Stat(name)
		require.NoError(t, err, name)
		require.Equal(t, "a.log", fi.Name())
	}
	names, err := m.List("/")
	require.NoError(t, err)
	require.Equal(t, []string{"db"}, names)
}

func TestMemErrors(t *testing.T) {
	m := NewMem()
	require.NoError(t, m.MkdirAll("/d/sub", 0o755))
	writeFile(t, m, "/d/f", nil)

	tests := []struct {
		name string
		op   func() error
		want error
	}{
		{"CreateOverDirectory", func() error { _, err := m.Create("/d/sub"); return err }, syscall.EISDIR},
		{"OpenDirectory", func() error { _, err := m.Open("/d"); return err }, syscall.EISDIR},
		{"CreateRoot", func() error { _, err := m.Create("/"); return err }, syscall.EISDIR},
		{"CreateBelowFile", func() error { _, err := m.Create("/d/f/x"); return err }, syscall.ENOTDIR},
		{"ListFile", func() error { _, err := m.List("/d/f"); return err }, syscall.ENOTDIR},
		{"MkdirAllOverFile", func() error { return m.MkdirAll("/d/f", 0o755) }, syscall.ENOTDIR},
		{"RemoveNotEmpty", func() error { return m.Remove("/d") }, syscall.ENOTEMPTY},
		{"RemoveRoot", func() error { return m.Remove("/") }, fs.ErrInvalid},
		{"RenameFileOverDirectory", func() error { return m.Rename("/d/f", "/d/sub") }, fs.ErrExist},
		{"RenameDirectoryOverFile", func() error { return m.Rename("/d/sub", "/d/f") }, syscall.ENOTDIR},
		{"RenameDirectoryBelowItself", func() error { return m.Rename("/d", "/d/sub/d") }, fs.ErrInvalid},
		{"RenameRoot", func() error { return m.Rename("/", "/x") }, fs.ErrInvalid},
		{"SyncDirOfFile", func() error { return m.SyncDir("/d/f") }, syscall.ENOTDIR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.op()
			require.ErrorIs(t, err, tt.want)
			var pathErr *fs.PathError
			var linkErr *os.LinkError
			require.True(t, errors.As(err, &pathErr) || errors.As(err, &linkErr), "%T", err)
		})
	}

	f, err := m.Create("/d/g")
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("x"), -1)
	require.ErrorIs(t, err, fs.ErrInvalid)
	require.ErrorIs(t, f.Truncate(-1), fs.ErrInvalid)

	r, err := m.Open("/d/g")
	require.NoError(t, err)
	defer r.Close()
	_, err = r.WriteAt([]byte("x"), 0)
	require.ErrorIs(t, err, syscall.EBADF)
}

func TestMemStatModes(t *testing.T) {
	m := NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o700))
	writeFile(t, m, "/d/f", []byte("abc"))
	di, err := m.Stat("/d")
	require.NoError(t, err)
	require.Equal(t, fs.ModeDir|0o700, di.Mode())
	fi, err := m.Stat("/d/f")
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o644), fi.Mode())
	root, err := m.Stat("/")
	require.NoError(t, err)
	require.True(t, root.IsDir())
}

// An open file keeps working on its file after the name goes away.
func TestMemOpenFileOutlivesName(t *testing.T) {
	m := NewMem()
	f, err := m.Create("/a")
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, m.Rename("/a", "/b"))
	_, err = f.WriteAt([]byte("x"), 0)
	require.NoError(t, err)
	require.Equal(t, "x", string(readFile(t, m, "/b")))
	require.NoError(t, m.Remove("/b"))
	_, err = f.WriteAt([]byte("y"), 1)
	require.NoError(t, err)
	fi, err := f.Stat()
	require.NoError(t, err)
	require.Equal(t, int64(2), fi.Size())
}

func TestMemLock(t *testing.T) {
	m := NewMem()
	l, err := m.Lock("/LOCK")
	require.NoError(t, err)
	_, err = m.Lock("LOCK")
	require.ErrorIs(t, err, ErrLocked)

	// Locks are per MemFS.
	l2, err := NewMem().Lock("/LOCK")
	require.NoError(t, err)
	require.NoError(t, l2.Close())

	// A clone starts with no locks held.
	c := m.CrashClone(CrashOptions{})
	lc, err := c.Lock("/LOCK")
	require.NoError(t, err)
	require.NoError(t, lc.Close())

	require.NoError(t, l.Close())
	require.NoError(t, l.Close())
	l, err = m.Lock("/LOCK")
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

func TestMemString(t *testing.T) {
	m := NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	require.NoError(t, m.SyncDir("/"))
	f, err := m.Create("/d/a")
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("abc"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	_, err = f.WriteAt([]byte("d"), 3)
	require.NoError(t, err)
	sep := string(os.PathSeparator)
	require.Equal(t, sep+"d"+sep+"\n"+sep+"d"+sep+"a 4 bytes, 3 synced (entry not synced)\n", m.String())
}
