package vfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// symlinkOrSkip makes link a symbolic link to target, skipping the test
// where the host will not: Windows lets only elevated processes, or any
// process in Developer Mode, create one. MemFS has no links, so these
// tests run on Default only.
func symlinkOrSkip(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create a symbolic link on %s: %v", runtime.GOOS, err)
	}
}

// precious is the content of the file outside the data directory that a
// link points at; no test may change it.
const precious = "precious bytes, not ours to touch\n"

// outsideFile creates a file holding precious in a directory of its own,
// apart from the one the test works in, and returns its name.
func outsideFile(t *testing.T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "target")
	require.NoError(t, os.WriteFile(name, []byte(precious), 0o644))
	return name
}

// requireUnchanged checks that the file at name still holds precious, byte
// for byte and at the same size.
func requireUnchanged(t *testing.T, name string) {
	t.Helper()
	got, err := os.ReadFile(name)
	require.NoError(t, err)
	require.Equal(t, precious, string(got))
	info, err := os.Stat(name)
	require.NoError(t, err)
	require.Equal(t, int64(len(precious)), info.Size())
}

// requireSymlinkError checks that err is the refusal of name as a link.
func requireSymlinkError(t *testing.T, err error, name string) {
	t.Helper()
	require.ErrorIs(t, err, ErrSymlink)
	require.Contains(t, err.Error(), name)
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, name, pe.Path)
}

// requireStillLink checks that name is still a symbolic link.
func requireStillLink(t *testing.T, name string) {
	t.Helper()
	info, err := os.Lstat(name)
	require.NoError(t, err)
	require.NotZero(t, info.Mode()&fs.ModeSymlink, "%s is no longer a link", name)
}

// opener is an FS method that opens a file, with the value it returns
// made closable.
type opener struct {
	name string
	open func(fsys FS, name string) (io.Closer, error)
}

var openers = []opener{
	{"Create", func(fsys FS, name string) (io.Closer, error) { return fsys.Create(name) }},
	{"Open", func(fsys FS, name string) (io.Closer, error) { return fsys.Open(name) }},
	{"OpenReadWrite", func(fsys FS, name string) (io.Closer, error) { return fsys.OpenReadWrite(name) }},
	{"Lock", func(fsys FS, name string) (io.Closer, error) { return fsys.Lock(name) }},
}

func TestOpenRefusesSymlink(t *testing.T) {
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			target := outsideFile(t)
			link := filepath.Join(t.TempDir(), "00000000000000000000.log")
			symlinkOrSkip(t, target, link)

			c, err := o.open(Default, link)
			require.Nil(t, c)
			requireSymlinkError(t, err, link)
			requireUnchanged(t, target)
			requireStillLink(t, link)
		})
	}
}

func TestOpenRefusesDanglingSymlink(t *testing.T) {
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			// The target does not exist: an open that followed the link
			// with O_CREAT would create it.
			target := filepath.Join(t.TempDir(), "missing")
			link := filepath.Join(t.TempDir(), "file")
			symlinkOrSkip(t, target, link)

			_, err := o.open(Default, link)
			requireSymlinkError(t, err, link)
			_, err = os.Lstat(target)
			require.ErrorIs(t, err, fs.ErrNotExist, "the link's target was created")
		})
	}
}

func TestOpenRefusesSymlinkToDirectory(t *testing.T) {
	target := t.TempDir()
	link := filepath.Join(t.TempDir(), "file")
	symlinkOrSkip(t, target, link)
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			_, err := o.open(Default, link)
			requireSymlinkError(t, err, link)
			entries, err := os.ReadDir(target)
			require.NoError(t, err)
			require.Empty(t, entries)
		})
	}
}

func TestOpenRegularFile(t *testing.T) {
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "file")
			require.NoError(t, os.WriteFile(name, []byte(precious), 0o644))
			c, err := o.open(Default, name)
			require.NoError(t, err)
			require.NoError(t, c.Close())
			if o.name == "Create" {
				info, err := os.Stat(name)
				require.NoError(t, err)
				require.Zero(t, info.Size(), "Create truncates a regular file")
			} else {
				requireUnchanged(t, name)
			}
		})
	}
}

func TestOpenFollowsSymlinkedDirectory(t *testing.T) {
	realDir := t.TempDir()
	dir := filepath.Join(t.TempDir(), "data")
	symlinkOrSkip(t, realDir, dir)

	f, err := Default.Create(filepath.Join(dir, "a.log"))
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("hello"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
	require.NoError(t, Default.SyncDir(dir))

	got, err := os.ReadFile(filepath.Join(realDir, "a.log"))
	require.NoError(t, err, "the write went through the linked directory")
	require.Equal(t, "hello", string(got))

	f, err = Default.OpenReadWrite(filepath.Join(dir, "a.log"))
	require.NoError(t, err)
	_, err = f.WriteAt([]byte(", world"), 5)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err = ReadFile(Default, filepath.Join(dir, "a.log"), 100)
	require.NoError(t, err)
	require.Equal(t, "hello, world", string(got))

	l, err := Default.Lock(filepath.Join(dir, "LOCK"))
	if !errors.Is(err, errors.ErrUnsupported) {
		require.NoError(t, err)
		require.NoError(t, l.Close())
		_, err = os.Stat(filepath.Join(realDir, "LOCK"))
		require.NoError(t, err)
	}

	names, err := Default.List(dir)
	require.NoError(t, err)
	require.Contains(t, names, "a.log")
}

// A loop among the directories of a name also gives ELOOP on Linux, but
// the name's last component is no link: that error must stay as it is.
func TestOpenSymlinkLoopInDirectory(t *testing.T) {
	dir := t.TempDir()
	loop := filepath.Join(dir, "loop")
	symlinkOrSkip(t, loop, loop)
	name := filepath.Join(loop, "file")
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			_, err := o.open(Default, name)
			require.Error(t, err)
			require.NotErrorIs(t, err, ErrSymlink)
			if runtime.GOOS == "linux" {
				require.ErrorIs(t, err, syscall.ELOOP)
			}
		})
	}
}

func TestLockAfterRefusedSymlink(t *testing.T) {
	target := outsideFile(t)
	name := filepath.Join(t.TempDir(), ".lock")
	symlinkOrSkip(t, target, name)
	_, err := Default.Lock(name)
	requireSymlinkError(t, err, name)

	// The refused attempt must leave no claim behind in this process.
	require.NoError(t, os.Remove(name))
	l, err := Default.Lock(name)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	}
	require.NoError(t, err)
	require.NoError(t, l.Close())
	requireUnchanged(t, target)
}

func TestWrappersRefuseSymlink(t *testing.T) {
	wrappers := []struct {
		name string
		fsys FS
	}{
		{"Hook", Hook(Default, func(Op) error { return nil })},
		{"FaultFS", NewFaultFS(Default, FaultPlan{FailAt: -1})},
	}
	for _, w := range wrappers {
		for _, o := range openers {
			t.Run(w.name+"/"+o.name, func(t *testing.T) {
				target := outsideFile(t)
				link := filepath.Join(t.TempDir(), "file")
				symlinkOrSkip(t, target, link)
				_, err := o.open(w.fsys, link)
				requireSymlinkError(t, err, link)
				requireUnchanged(t, target)
			})
		}
	}
}

func TestWriteFileAtomicSymlinkedTemp(t *testing.T) {
	target := outsideFile(t)
	name := filepath.Join(t.TempDir(), "state")
	symlinkOrSkip(t, target, name+".tmp")

	err := WriteFileAtomic(Default, name, []byte("new\n"))
	requireSymlinkError(t, err, name+".tmp")
	requireUnchanged(t, target)
	requireStillLink(t, name+".tmp")
	_, err = os.Lstat(name)
	require.ErrorIs(t, err, fs.ErrNotExist, "nothing renamed into place")
}

func TestWriteFileAtomicReplacesSymlink(t *testing.T) {
	target := outsideFile(t)
	name := filepath.Join(t.TempDir(), "state")
	symlinkOrSkip(t, target, name)

	require.NoError(t, WriteFileAtomic(Default, name, []byte("new\n")))
	requireUnchanged(t, target)
	info, err := os.Lstat(name)
	require.NoError(t, err)
	require.True(t, info.Mode().IsRegular(), "the link is replaced by a regular file")
	got, err := ReadFile(Default, name, 100)
	require.NoError(t, err)
	require.Equal(t, "new\n", string(got))
}

func TestReadFileRefusesSymlink(t *testing.T) {
	target := outsideFile(t)
	name := filepath.Join(t.TempDir(), "state")
	symlinkOrSkip(t, target, name)

	_, err := ReadFile(Default, name, 100)
	requireSymlinkError(t, err, name)
	require.NotErrorIs(t, err, fs.ErrNotExist)
}
