package vfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// newTestFS returns an FS and an existing, empty directory in it to work in.
type newTestFS func(t *testing.T) (FS, string)

func newOSTestFS(t *testing.T) (FS, string) { return Default, t.TempDir() }

func newMemTestFS(t *testing.T) (FS, string) {
	m := NewMem()
	require.NoError(t, m.MkdirAll("/data", 0o755))
	return m, "/data"
}

func TestOS(t *testing.T) { testFS(t, newOSTestFS) }

func TestMem(t *testing.T) { testFS(t, newMemTestFS) }

// testFS checks the behaviour both FS implementations share.
func testFS(t *testing.T, newFS newTestFS) {
	tests := []struct {
		name string
		fn   func(t *testing.T, fsys FS, dir string)
	}{
		{"CreateWriteRead", testCreateWriteRead},
		{"CreateTruncates", testCreateTruncates},
		{"OpenReadWriteKeepsContents", testOpenReadWriteKeeps},
		{"OpenIsReadOnly", testOpenIsReadOnly},
		{"ReadAtEnd", testReadAtEnd},
		{"WriteAtGapZeroFill", testWriteAtGap},
		{"Truncate", testTruncate},
		{"Stat", testStat},
		{"RenameReplacesTarget", testRenameReplaces},
		{"RenameDirectory", testRenameDirectory},
		{"Remove", testRemove},
		{"RemoveAll", testRemoveAll},
		{"ListSorted", testList},
		{"MkdirAll", testMkdirAll},
		{"NotExist", testNotExist},
		{"ClosedFile", testClosedFile},
		{"SyncDir", testSyncDir},
		{"Lock", testLock},
		{"ConcurrentReadersAndWriter", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys, dir := newFS(t)
			tt.fn(t, fsys, dir)
		})
	}
}

// writeFile creates name holding data, synced.
func writeFile(t *testing.T, fsys FS, name string, data []byte) {
	t.Helper()
	f, err := fsys.Create(name)
	require.NoError(t, err)
	n, err := f.WriteAt(data, 0)
	require.NoError(t, err)
	require.Equal(t, len(data), n)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

// readFile returns the contents of name.
func readFile(t *testing.T, fsys FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(name)
	require.NoError(t, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(t, err)
	buf := make([]byte, fi.Size())
	n, err := f.ReadAt(buf, 0)
	if err != io.EOF {
		require.NoError(t, err)
	}
	require.Equal(t, len(buf), n)
	return buf
}

func testCreateWriteRead(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a.log")
	f, err := fsys.Create(name)
	require.NoError(t, err)
	defer f.Close()

	_, err = f.WriteAt([]byte("hello, "), 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("world"), 7)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("W"), 7)
	require.NoError(t, err)
	require.NoError(t, f.Sync())

	buf := make([]byte, 12)
	n, err := f.ReadAt(buf, 0)
	require.NoError(t, err)
	require.Equal(t, 12, n)
	require.Equal(t, "hello, World", string(buf))

	n, err = f.ReadAt(buf[:5], 7)
	require.NoError(t, err)
	require.Equal(t, "World", string(buf[:n]))

	require.Equal(t, "hello, World", string(readFile(t, fsys, name)))
}

func testCreateTruncates(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a")
	writeFile(t, fsys, name, []byte("old contents"))
	f, err := fsys.Create(name)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Empty(t, readFile(t, fsys, name))
}

func testOpenReadWriteKeeps(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a")

	// A missing file is created.
	f, err := fsys.OpenReadWrite(name)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("abc"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	f, err = fsys.OpenReadWrite(name)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("d"), 3)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, "abcd", string(readFile(t, fsys, name)))
}

func testOpenIsReadOnly(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a")
	writeFile(t, fsys, name, []byte("abc"))
	f, err := fsys.Open(name)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("x"), 0)
	require.Error(t, err)
	require.Error(t, f.Truncate(0))
	require.Equal(t, "abc", string(readFile(t, fsys, name)))
}

func testReadAtEnd(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a")
	writeFile(t, fsys, name, []byte("abc"))
	f, err := fsys.Open(name)
	require.NoError(t, err)
	defer f.Close()

	buf := make([]byte, 5)
	n, err := f.ReadAt(buf, 1)
	require.ErrorIs(t, err, io.EOF)
	require.Equal(t, "bc", string(buf[:n]))

	n, err = f.ReadAt(buf, 3)
	require.ErrorIs(t, err, io.EOF)
	require.Zero(t, n)

	n, err = f.ReadAt(buf, 100)
	require.ErrorIs(t, err, io.EOF)
	require.Zero(t, n)

	_, err = f.ReadAt(buf, -1)
	require.Error(t, err)
}

func testWriteAtGap(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a")
	f, err := fsys.Create(name)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("ab"), 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("cd"), 6)
	require.NoError(t, err)
	require.Equal(t, []byte("ab\x00\x00\x00\x00cd"), readFile(t, fsys, name))
}

func testTruncate(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a")
	f, err := fsys.Create(name)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("abcdef"), 0)
	require.NoError(t, err)

	tests := []struct {
		size int64
		want string
	}{
		{3, "abc"},
		{5, "abc\x00\x00"},
		{0, ""},
		{2, "\x00\x00"},
	}
	for _, tt := range tests {
		require.NoError(t, f.Truncate(tt.size))
		fi, err := f.Stat()
		require.NoError(t, err)
		require.Equal(t, tt.size, fi.Size())
		require.Equal(t, tt.want, string(readFile(t, fsys, name)), "after Truncate(%d)", tt.size)
	}
	require.Error(t, f.Truncate(-1))
}

func testStat(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a.log")
	writeFile(t, fsys, name, []byte("12345"))

	fi, err := fsys.Stat(name)
	require.NoError(t, err)
	require.Equal(t, "a.log", fi.Name())
	require.Equal(t, int64(5), fi.Size())
	require.True(t, fi.Mode().IsRegular())
	require.False(t, fi.IsDir())
	require.False(t, fi.ModTime().IsZero())

	f, err := fsys.Open(name)
	require.NoError(t, err)
	defer f.Close()
	ffi, err := f.Stat()
	require.NoError(t, err)
	require.Equal(t, "a.log", ffi.Name())
	require.Equal(t, int64(5), ffi.Size())

	sub := filepath.Join(dir, "sub")
	require.NoError(t, fsys.MkdirAll(sub, 0o755))
	di, err := fsys.Stat(sub)
	require.NoError(t, err)
	require.True(t, di.IsDir())
	require.Equal(t, "sub", di.Name())
}

func testRenameReplaces(t *testing.T, fsys FS, dir string) {
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeFile(t, fsys, a, []byte("new"))
	writeFile(t, fsys, b, []byte("old"))
	require.NoError(t, fsys.Rename(a, b))
	require.Equal(t, "new", string(readFile(t, fsys, b)))
	_, err := fsys.Stat(a)
	require.ErrorIs(t, err, fs.ErrNotExist)

	names, err := fsys.List(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, names)

	// Renaming to itself changes nothing.
	require.NoError(t, fsys.Rename(b, b))
	require.Equal(t, "new", string(readFile(t, fsys, b)))
}

func testRenameDirectory(t *testing.T, fsys FS, dir string) {
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	require.NoError(t, fsys.MkdirAll(src, 0o755))
	writeFile(t, fsys, filepath.Join(src, "f"), []byte("x"))
	require.NoError(t, fsys.Rename(src, dst))
	require.Equal(t, "x", string(readFile(t, fsys, filepath.Join(dst, "f"))))

	// A file moves into another directory.
	require.NoError(t, fsys.Rename(filepath.Join(dst, "f"), filepath.Join(dir, "g")))
	names, err := fsys.List(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"dst", "g"}, names)

	// A file cannot replace a directory.
	require.Error(t, fsys.Rename(filepath.Join(dir, "g"), dst))
}

func testRemove(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "a")
	writeFile(t, fsys, name, nil)
	require.NoError(t, fsys.Remove(name))
	_, err := fsys.Stat(name)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorIs(t, fsys.Remove(name), fs.ErrNotExist)

	sub := filepath.Join(dir, "sub")
	require.NoError(t, fsys.MkdirAll(sub, 0o755))
	writeFile(t, fsys, filepath.Join(sub, "f"), nil)
	require.Error(t, fsys.Remove(sub), "a directory that is not empty")
	require.NoError(t, fsys.Remove(filepath.Join(sub, "f")))
	require.NoError(t, fsys.Remove(sub))
	_, err = fsys.Stat(sub)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func testRemoveAll(t *testing.T, fsys FS, dir string) {
	top := filepath.Join(dir, "top")
	require.NoError(t, fsys.MkdirAll(filepath.Join(top, "a", "b"), 0o755))
	writeFile(t, fsys, filepath.Join(top, "f"), []byte("1"))
	writeFile(t, fsys, filepath.Join(top, "a", "b", "g"), []byte("2"))
	require.NoError(t, fsys.RemoveAll(top))
	_, err := fsys.Stat(top)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NoError(t, fsys.RemoveAll(top), "a missing name is not an error")
	require.NoError(t, fsys.RemoveAll(filepath.Join(dir, "missing", "deeper")))

	// A single file.
	f := filepath.Join(dir, "f")
	writeFile(t, fsys, f, nil)
	require.NoError(t, fsys.RemoveAll(f))
	names, err := fsys.List(dir)
	require.NoError(t, err)
	require.Empty(t, names)
}

func testList(t *testing.T, fsys FS, dir string) {
	names, err := fsys.List(dir)
	require.NoError(t, err)
	require.Empty(t, names)

	for _, name := range []string{"c", "a.log", "b", "a.index", "00000000000000000010.log", "00000000000000000002.log"} {
		writeFile(t, fsys, filepath.Join(dir, name), nil)
	}
	require.NoError(t, fsys.MkdirAll(filepath.Join(dir, "d"), 0o755))
	names, err = fsys.List(dir)
	require.NoError(t, err)
	require.Equal(t, []string{
		"00000000000000000002.log", "00000000000000000010.log",
		"a.index", "a.log", "b", "c", "d",
	}, names)
}

func testMkdirAll(t *testing.T, fsys FS, dir string) {
	deep := filepath.Join(dir, "x", "y", "z")
	require.NoError(t, fsys.MkdirAll(deep, 0o755))
	require.NoError(t, fsys.MkdirAll(deep, 0o755), "existing directories are fine")
	writeFile(t, fsys, filepath.Join(deep, "f"), []byte("x"))
	for _, d := range []string{filepath.Join(dir, "x"), filepath.Join(dir, "x", "y"), deep} {
		fi, err := fsys.Stat(d)
		require.NoError(t, err)
		require.True(t, fi.IsDir(), d)
	}

	// A file in the way.
	file := filepath.Join(dir, "file")
	writeFile(t, fsys, file, nil)
	require.Error(t, fsys.MkdirAll(file, 0o755))
	require.Error(t, fsys.MkdirAll(filepath.Join(file, "sub"), 0o755))
}

func testNotExist(t *testing.T, fsys FS, dir string) {
	missing := filepath.Join(dir, "missing")
	inMissingDir := filepath.Join(dir, "nodir", "f")
	tests := []struct {
		name string
		op   func() error
	}{
		{"Open", func() error { _, err := fsys.Open(missing); return err }},
		{"Stat", func() error { _, err := fsys.Stat(missing); return err }},
		{"Remove", func() error { return fsys.Remove(missing) }},
		{"List", func() error { _, err := fsys.List(missing); return err }},
		{"Rename", func() error { return fsys.Rename(missing, filepath.Join(dir, "b")) }},
		{"SyncDir", func() error { return fsys.SyncDir(missing) }},
		{"CreateInMissingDir", func() error { _, err := fsys.Create(inMissingDir); return err }},
		{"OpenReadWriteInMissingDir", func() error { _, err := fsys.OpenReadWrite(inMissingDir); return err }},
		{"LockInMissingDir", func() error { _, err := fsys.Lock(inMissingDir); return err }},
		{"RenameIntoMissingDir", func() error {
			writeFile(t, fsys, filepath.Join(dir, "a"), nil)
			return fsys.Rename(filepath.Join(dir, "a"), inMissingDir)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.op()
			require.ErrorIs(t, err, fs.ErrNotExist)
			require.Contains(t, err.Error(), dir, "the error names the file")
		})
	}

	var pathErr *fs.PathError
	_, err := fsys.Open(missing)
	require.ErrorAs(t, err, &pathErr)
	require.Equal(t, missing, pathErr.Path)
}

func testClosedFile(t *testing.T, fsys FS, dir string) {
	f, err := fsys.Create(filepath.Join(dir, "a"))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	buf := make([]byte, 1)
	tests := []struct {
		name string
		op   func() error
	}{
		{"ReadAt", func() error { _, err := f.ReadAt(buf, 0); return err }},
		{"WriteAt", func() error { _, err := f.WriteAt(buf, 0); return err }},
		{"Sync", f.Sync},
		{"Truncate", func() error { return f.Truncate(0) }},
		{"Stat", func() error { _, err := f.Stat(); return err }},
		{"Close", f.Close},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.op(), fs.ErrClosed)
		})
	}
}

func testSyncDir(t *testing.T, fsys FS, dir string) {
	writeFile(t, fsys, filepath.Join(dir, "a"), []byte("x"))
	require.NoError(t, fsys.SyncDir(dir))
}

func testLock(t *testing.T, fsys FS, dir string) {
	name := filepath.Join(dir, "LOCK")
	l, err := fsys.Lock(name)
	require.NoError(t, err)
	_, err = fsys.Stat(name)
	require.NoError(t, err, "Lock creates the file")

	_, err = fsys.Lock(name)
	require.ErrorIs(t, err, ErrLocked)
	require.Contains(t, err.Error(), name)

	// The same file under another spelling of its name.
	_, err = fsys.Lock(filepath.Join(dir, ".", "LOCK"))
	require.ErrorIs(t, err, ErrLocked)

	// Another file is independent.
	other, err := fsys.Lock(filepath.Join(dir, "OTHER"))
	require.NoError(t, err)
	require.NoError(t, other.Close())

	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "Close is idempotent")

	l, err = fsys.Lock(name)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// testConcurrent has one goroutine append records to a file while others
// read the records already written, which -race checks.
func testConcurrent(t *testing.T, fsys FS, dir string) {
	const (
		records = 500
		size    = 64
		readers = 4
	)
	name := filepath.Join(dir, "a.log")
	w, err := fsys.Create(name)
	require.NoError(t, err)
	defer w.Close()
	r, err := fsys.Open(name)
	require.NoError(t, err)
	defer r.Close()

	record := func(i int) []byte {
		return bytes.Repeat([]byte{byte(i)}, size)
	}
	var written atomic.Int64 // records fully written
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range records {
			if _, err := w.WriteAt(record(i), int64(i*size)); err != nil {
				errs <- err
				return
			}
			if i%50 == 0 {
				if err := w.Sync(); err != nil {
					errs <- err
					return
				}
			}
			written.Store(int64(i + 1))
		}
	}()
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, size)
			for j := 0; written.Load() < records; j++ {
				n := written.Load()
				if n == 0 {
					continue
				}
				i := (int64(g) + int64(j)*7) % n
				if _, err := r.ReadAt(buf, i*size); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(buf, record(int(i))) {
					errs <- fmt.Errorf("record %d reads %x", i, buf[:4])
					return
				}
				if _, err := r.Stat(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	fi, err := w.Stat()
	require.NoError(t, err)
	require.Equal(t, int64(records*size), fi.Size())
}

func TestOSFile(t *testing.T) {
	dir := t.TempDir()
	f, err := Default.Create(filepath.Join(dir, "a"))
	require.NoError(t, err)
	defer f.Close()
	of, ok := f.(OSFile)
	require.True(t, ok, "Default's files implement OSFile")
	osf := of.OSFile()
	require.Equal(t, filepath.Join(dir, "a"), osf.Name())

	_, err = f.WriteAt([]byte("via vfs"), 0)
	require.NoError(t, err)
	got, err := os.ReadFile(osf.Name())
	require.NoError(t, err)
	require.Equal(t, "via vfs", string(got))

	// MemFS files are not backed by the operating system.
	m := NewMem()
	mf, err := m.Create("a")
	require.NoError(t, err)
	_, ok = mf.(OSFile)
	require.False(t, ok)
}

func TestOSErrorsAreTheOSPackages(t *testing.T) {
	dir := t.TempDir()
	_, err := Default.Open(filepath.Join(dir, "missing"))
	_, want := os.Open(filepath.Join(dir, "missing"))
	require.Equal(t, want, err)
	require.True(t, errors.Is(err, fs.ErrNotExist))
}
