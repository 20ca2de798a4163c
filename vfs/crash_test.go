package vfs

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// newCrashFS returns a MemFS with a durable, empty directory /db.
func newCrashFS(t *testing.T) *MemFS {
	m := NewMem()
	require.NoError(t, m.MkdirAll("/db", 0o755))
	require.NoError(t, m.SyncDir("/"))
	return m
}

// write writes data at off in name, creating the file if needed, and
// syncs it if sync is set.
func write(t *testing.T, m *MemFS, name string, off int64, data string, sync bool) {
	t.Helper()
	f, err := m.OpenReadWrite(name)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte(data), off)
	require.NoError(t, err)
	if sync {
		require.NoError(t, f.Sync())
	}
	require.NoError(t, f.Close())
}

// contents returns the contents of name in m, or "<missing>".
func contents(t *testing.T, m *MemFS, name string) string {
	t.Helper()
	if _, err := m.Stat(name); err != nil {
		require.ErrorIs(t, err, fs.ErrNotExist)
		return "<missing>"
	}
	return string(readFile(t, m, name))
}

func TestCrashClone(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, m *MemFS)
		want  map[string]string // name -> contents after the crash
	}{{
		name: "UnsyncedDataDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			write(t, m, "/db/a", 5, " world", false)
		},
		want: map[string]string{"/db/a": "hello"},
	}, {
		name: "NeverSyncedFileIsEmpty",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", false)
			require.NoError(t, m.SyncDir("/db"))
		},
		want: map[string]string{"/db/a": ""},
	}, {
		name: "UnsyncedNewFileDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
		},
		want: map[string]string{"/db/a": "<missing>"},
	}, {
		name: "SyncedFileKept",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
		},
		want: map[string]string{"/db/a": "hello"},
	}, {
		name: "UnsyncedRenameDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			require.NoError(t, m.Rename("/db/a", "/db/b"))
		},
		want: map[string]string{"/db/a": "hello", "/db/b": "<missing>"},
	}, {
		name: "SyncedRenameKeepsSyncedData",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.Rename("/db/a", "/db/b"))
			write(t, m, "/db/b", 5, "!", false)
			require.NoError(t, m.SyncDir("/db"))
		},
		want: map[string]string{"/db/a": "<missing>", "/db/b": "hello"},
	}, {
		name: "UnsyncedRenameOverTargetKeepsTarget",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "new", true)
			write(t, m, "/db/b", 0, "old", true)
			require.NoError(t, m.SyncDir("/db"))
			require.NoError(t, m.Rename("/db/a", "/db/b"))
		},
		want: map[string]string{"/db/a": "new", "/db/b": "old"},
	}, {
		name: "UnsyncedRemoveDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			require.NoError(t, m.Remove("/db/a"))
		},
		want: map[string]string{"/db/a": "hello"},
	}, {
		name: "SyncedRemoveKept",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			require.NoError(t, m.Remove("/db/a"))
			require.NoError(t, m.SyncDir("/db"))
		},
		want: map[string]string{"/db/a": "<missing>"},
	}, {
		name: "UnsyncedDirectoryDropped",
		setup: func(t *testing.T, m *MemFS) {
			require.NoError(t, m.MkdirAll("/db/topic-0", 0o755))
			write(t, m, "/db/topic-0/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db/topic-0"))
		},
		want: map[string]string{"/db/topic-0/a": "<missing>", "/db/topic-0": "<missing>"},
	}, {
		name: "UnsyncedTruncateDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			f, err := m.OpenReadWrite("/db/a")
			require.NoError(t, err)
			require.NoError(t, f.Truncate(2))
			require.NoError(t, f.Close())
		},
		want: map[string]string{"/db/a": "hello"},
	}, {
		name: "SyncedTruncateKept",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			f, err := m.OpenReadWrite("/db/a")
			require.NoError(t, err)
			require.NoError(t, f.Truncate(2))
			require.NoError(t, f.Sync())
			require.NoError(t, f.Close())
		},
		want: map[string]string{"/db/a": "he"},
	}, {
		name: "UnsyncedOverwriteDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			write(t, m, "/db/a", 1, "EL", false)
		},
		want: map[string]string{"/db/a": "hello"},
	}, {
		name: "UnsyncedShrinkAndRegrowDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			f, err := m.OpenReadWrite("/db/a")
			require.NoError(t, err)
			require.NoError(t, f.Truncate(1))
			require.NoError(t, f.Truncate(4))
			_, err = f.WriteAt([]byte("xy"), 6)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			require.Equal(t, "h\x00\x00\x00\x00\x00xy", contents(t, m, "/db/a"))
		},
		want: map[string]string{"/db/a": "hello"},
	}, {
		name: "UnsyncedCreateTruncationDropped",
		setup: func(t *testing.T, m *MemFS) {
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			f, err := m.Create("/db/a")
			require.NoError(t, err)
			require.NoError(t, f.Close())
		},
		want: map[string]string{"/db/a": "hello"},
	}, {
		name: "UnsyncedRemoveAllDropped",
		setup: func(t *testing.T, m *MemFS) {
			require.NoError(t, m.MkdirAll("/db/t/u", 0o755))
			write(t, m, "/db/t/u/a", 0, "hello", true)
			for _, d := range []string{"/db", "/db/t", "/db/t/u"} {
				require.NoError(t, m.SyncDir(d))
			}
			require.NoError(t, m.RemoveAll("/db/t"))
		},
		want: map[string]string{"/db/t/u/a": "hello"},
	}, {
		name: "RenameBetweenDirectoriesNewSynced",
		setup: func(t *testing.T, m *MemFS) {
			require.NoError(t, m.MkdirAll("/db/x", 0o755))
			require.NoError(t, m.SyncDir("/db"))
			write(t, m, "/db/a", 0, "hello", true)
			require.NoError(t, m.SyncDir("/db"))
			require.NoError(t, m.Rename("/db/a", "/db/x/a"))
			require.NoError(t, m.SyncDir("/db/x"))
		},
		want: map[string]string{"/db/a": "hello", "/db/x/a": "hello"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newCrashFS(t)
			tt.setup(t, m)
			before := m.String()
			c := m.CrashClone(CrashOptions{})
			for name, want := range tt.want {
				require.Equal(t, want, contents(t, c, name), name)
			}
			require.Equal(t, before, m.String(), "the original is unchanged")
			// The clone is wholly durable.
			require.Equal(t, c.String(), c.CrashClone(CrashOptions{}).String())
		})
	}
}

func TestCrashCloneIsIndependent(t *testing.T) {
	m := newCrashFS(t)
	f, err := m.Create("/db/a")
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("hello"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, m.SyncDir("/db"))

	c := m.CrashClone(CrashOptions{})

	// Writes to the original, at the end and over the synced bytes.
	_, err = f.WriteAt([]byte(" world"), 5)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("J"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	write(t, m, "/db/b", 0, "b", true)
	require.NoError(t, m.SyncDir("/db"))
	require.Equal(t, "hello", contents(t, c, "/db/a"))
	require.Equal(t, "<missing>", contents(t, c, "/db/b"))

	// Writes to the clone.
	write(t, c, "/db/a", 0, "HE", true)
	write(t, c, "/db/a", 5, "!", true)
	write(t, c, "/db/c", 0, "c", true)
	require.NoError(t, c.Remove("/db/a"))
	require.Equal(t, "Jello world", contents(t, m, "/db/a"))
	require.Equal(t, "<missing>", contents(t, m, "/db/c"))

	// And a second clone of the original is not disturbed by either.
	c2 := m.CrashClone(CrashOptions{})
	require.Equal(t, "Jello world", contents(t, c2, "/db/a"))
	require.Equal(t, "b", contents(t, c2, "/db/b"))
}

// TestCrashCloneSurvivesTruncateAndRewrite truncates a synced file, syncs
// the shorter file and writes where the cut bytes were: a clone taken
// before the truncation keeps the old bytes. (The write once reused the
// backing array the clone still saw, because only the latest synced
// length was protected.)
func TestCrashCloneSurvivesTruncateAndRewrite(t *testing.T) {
	m := newCrashFS(t)
	f, err := m.Create("/db/a")
	require.NoError(t, err)
	defer f.Close()
	_, err = f.WriteAt([]byte("0123456789"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, m.SyncDir("/db"))
	before := m.CrashClone(CrashOptions{})

	require.NoError(t, f.Truncate(4))
	require.NoError(t, f.Sync())
	truncated := m.CrashClone(CrashOptions{})
	_, err = f.WriteAt([]byte("abcdef"), 4)
	require.NoError(t, err)
	require.NoError(t, f.Sync())

	require.Equal(t, "0123456789", contents(t, before, "/db/a"))
	require.Equal(t, "0123", contents(t, truncated, "/db/a"))
	require.Equal(t, "0123abcdef", contents(t, m, "/db/a"))
}

func TestCrashCloneTornTail(t *testing.T) {
	const (
		synced   = "durable:"
		unsynced = "0123456789abcdef"
	)
	m := newCrashFS(t)
	write(t, m, "/db/a", 0, synced, true)
	require.NoError(t, m.SyncDir("/db"))
	write(t, m, "/db/a", int64(len(synced)), unsynced, false)

	seen := make(map[int]int) // bytes of the tail kept -> times
	for seed := range uint64(400) {
		c := m.CrashClone(CrashOptions{Rand: rand.New(rand.NewPCG(seed, 1))})
		got := contents(t, c, "/db/a")
		require.True(t, len(got) >= len(synced), "seed %d: %q", seed, got)
		require.Equal(t, synced+unsynced[:len(got)-len(synced)], got, "seed %d: not a prefix", seed)
		seen[len(got)-len(synced)]++
	}
	require.NotZero(t, seen[0], "sometimes none of the tail survives")
	require.NotZero(t, seen[len(unsynced)], "sometimes all of it does")
	between := 0
	for k, n := range seen {
		if k > 0 && k < len(unsynced) {
			between += n
		}
	}
	require.NotZero(t, between, "sometimes part of it does")
}

// A file never synced is all tail: any prefix of it may survive.
func TestCrashCloneTornNewFile(t *testing.T) {
	m := newCrashFS(t)
	write(t, m, "/db/a", 0, "abcdefgh", false)
	require.NoError(t, m.SyncDir("/db"))
	lengths := make(map[int]bool)
	for seed := range uint64(200) {
		c := m.CrashClone(CrashOptions{Rand: rand.New(rand.NewPCG(seed, 2))})
		got := contents(t, c, "/db/a")
		require.True(t, bytes.HasPrefix([]byte("abcdefgh"), []byte(got)), got)
		lengths[len(got)] = true
	}
	require.True(t, lengths[0] && lengths[8] && len(lengths) > 2, "%v", lengths)
}

func TestCrashCloneTornOverwrite(t *testing.T) {
	m := newCrashFS(t)
	write(t, m, "/db/a", 0, "hello", true)
	write(t, m, "/db/b", 0, "hello", true)
	require.NoError(t, m.SyncDir("/db"))
	write(t, m, "/db/a", 1, "ELLO, WORLD", false) // overwrite and extend
	f, err := m.OpenReadWrite("/db/b")
	require.NoError(t, err)
	require.NoError(t, f.Truncate(2))
	require.NoError(t, f.Close())

	seenA, seenB := make(map[string]bool), make(map[string]bool)
	for seed := range uint64(100) {
		c := m.CrashClone(CrashOptions{Rand: rand.New(rand.NewPCG(seed, 3))})
		seenA[contents(t, c, "/db/a")] = true
		seenB[contents(t, c, "/db/b")] = true
	}
	require.Equal(t, map[string]bool{"hello": true, "hELLO, WORLD": true}, seenA)
	require.Equal(t, map[string]bool{"hello": true, "he": true}, seenB)
}

func TestCrashCloneRandomEntries(t *testing.T) {
	m := newCrashFS(t)
	write(t, m, "/db/old", 0, "renamed", true)
	require.NoError(t, m.SyncDir("/db"))
	// Unsynced, in this order: create a, rename old to new, create b.
	write(t, m, "/db/a", 0, "a", true)
	require.NoError(t, m.Rename("/db/old", "/db/new"))
	write(t, m, "/db/b", 0, "b", true)

	outcomes := make(map[string]int)
	for seed := range uint64(200) {
		c := m.CrashClone(CrashOptions{Rand: rand.New(rand.NewPCG(seed, 4))})
		names, err := c.List("/db")
		require.NoError(t, err)
		// The rename is atomic, and the changes survive in order.
		key := ""
		for _, n := range names {
			key += n + " "
		}
		require.Contains(t, []string{"old ", "a old ", "a new ", "a b new "}, key, "seed %d", seed)
		outcomes[key]++
		if contents(t, c, "/db/new") != "<missing>" {
			require.Equal(t, "renamed", contents(t, c, "/db/new"))
		}
	}
	require.Len(t, outcomes, 4, "every prefix occurs: %v", outcomes)
}

func TestCrashCloneSameSeedSameClone(t *testing.T) {
	m := newCrashFS(t)
	for _, name := range []string{"/db/a", "/db/b", "/db/c"} {
		write(t, m, name, 0, "synced", true)
	}
	require.NoError(t, m.SyncDir("/db"))
	for _, name := range []string{"/db/a", "/db/b", "/db/c", "/db/d"} {
		write(t, m, name, 6, " and then some more", false)
	}
	clone := func() string {
		c := m.CrashClone(CrashOptions{Rand: rand.New(rand.NewPCG(7, 7))})
		s := c.String()
		for _, name := range []string{"/db/a", "/db/b", "/db/c", "/db/d"} {
			s += contents(t, c, name) + "\n"
		}
		return s
	}
	require.Equal(t, clone(), clone())
}

// CrashClone may run while other goroutines write, as a test that crashes
// a running log does; every clone must then see a synced prefix of what was
// written.
func TestCrashCloneWhileWriting(t *testing.T) {
	m := newCrashFS(t)
	const records = 300
	record := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 32) }
	var stream []byte
	for i := range records {
		stream = append(stream, record(i)...)
	}

	done := make(chan error, 1)
	go func() {
		f, err := m.Create("/db/a.log")
		if err == nil {
			err = m.SyncDir("/db")
		}
		for i := 0; err == nil && i < records; i++ {
			_, err = f.WriteAt(record(i), int64(i*32))
			if err == nil && i%10 == 9 {
				err = f.Sync()
			}
		}
		if err == nil {
			err = f.Close()
		}
		done <- err
	}()

	for seed := uint64(0); ; seed++ {
		var finished bool
		select {
		case err := <-done:
			require.NoError(t, err)
			finished = true
		default:
		}
		opts := CrashOptions{}
		if seed%2 == 1 {
			opts.Rand = rand.New(rand.NewPCG(seed, 5))
		}
		c := m.CrashClone(opts)
		if got := contents(t, c, "/db/a.log"); got != "<missing>" {
			require.True(t, bytes.HasPrefix(stream, []byte(got)), "clone %d holds %d bytes that are not a prefix", seed, len(got))
			if opts.Rand == nil {
				require.Zero(t, len(got)%320, "without Rand only synced data survives")
			}
		}
		if finished {
			break
		}
	}
}
