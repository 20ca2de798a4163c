package log

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// ee is shorthand for an EpochEntry in tables.
func ee(epoch int32, start int64) EpochEntry { return EpochEntry{Epoch: epoch, StartOffset: start} }

// epochCacheOf returns a cache holding exactly list, bypassing assign.
func epochCacheOf(list ...EpochEntry) *epochCache {
	return &epochCache{list: slices.Clone(list)}
}

func TestEpochAssign(t *testing.T) {
	three := []EpochEntry{ee(1, 0), ee(3, 10), ee(5, 20)}
	tests := []struct {
		name    string
		before  []EpochEntry
		epoch   int32
		offset  int64
		changed bool
		after   []EpochEntry
	}{
		{"empty cache", nil, 4, 7, true, []EpochEntry{ee(4, 7)}},
		{"empty cache at zero", nil, 0, 0, true, []EpochEntry{ee(0, 0)}},
		{"newer epoch at later offset", three, 6, 30, true, []EpochEntry{ee(1, 0), ee(3, 10), ee(5, 20), ee(6, 30)}},
		{"newer epoch at latest start", three, 6, 20, true, []EpochEntry{ee(1, 0), ee(3, 10), ee(6, 20)}},
		{"newer epoch at earlier offset", three, 6, 15, true, []EpochEntry{ee(1, 0), ee(3, 10), ee(6, 15)}},
		{"newer epoch before every offset", three, 6, 0, true, []EpochEntry{ee(6, 0)}},
		{"latest epoch at its start", three, 5, 20, false, three},
		{"latest epoch at later offset", three, 5, 25, false, three},
		{"latest epoch at earlier offset", three, 5, 15, true, []EpochEntry{ee(1, 0), ee(3, 10), ee(5, 15)}},
		{"latest epoch before earlier entries", three, 5, 10, true, []EpochEntry{ee(1, 0), ee(5, 10)}},
		{"latest epoch before every offset", three, 5, 0, true, []EpochEntry{ee(5, 0)}},
		{"older epoch at later offset", three, 4, 30, true, []EpochEntry{ee(1, 0), ee(3, 10), ee(4, 30)}},
		{"older epoch between", three, 2, 30, true, []EpochEntry{ee(1, 0), ee(2, 30)}},
		{"older epoch at earlier offset", three, 4, 15, true, []EpochEntry{ee(1, 0), ee(3, 10), ee(4, 15)}},
		{"older than every epoch at later offset", three, 0, 30, true, []EpochEntry{ee(0, 30)}},
		{"middle epoch at its own start", three, 3, 10, true, []EpochEntry{ee(1, 0), ee(3, 10)}},
		{"middle epoch at later offset", three, 3, 12, true, []EpochEntry{ee(1, 0), ee(3, 12)}},
		{"first epoch at its own start", three, 1, 0, true, []EpochEntry{ee(1, 0)}},
		{"negative epoch", three, -1, 30, false, three},
		{"negative offset", three, 6, -1, false, three},
		{"negative epoch on empty cache", nil, -1, 0, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := epochCacheOf(tt.before...)
			require.Equal(t, tt.changed, c.assign(tt.epoch, tt.offset))
			require.Equal(t, tt.after, nilIfEmpty(c.entries()))
			require.True(t, validEpochEntries(c.entries()))
		})
	}
}

// nilIfEmpty makes empty and nil lists compare equal in tables.
func nilIfEmpty(l []EpochEntry) []EpochEntry {
	if len(l) == 0 {
		return nil
	}
	return l
}

func TestEpochNewCacheNormalises(t *testing.T) {
	// Kafka loads a checkpoint by assigning its entries in order; a list
	// that is not increasing ends up as assign leaves it.
	c := newEpochCache([]EpochEntry{ee(1, 0), ee(2, 10), ee(2, 15), ee(4, 5), ee(3, 20)})
	require.Equal(t, []EpochEntry{ee(1, 0), ee(3, 20)}, c.entries())
	require.Equal(t, 0, newEpochCache(nil).len())
}

func TestEpochAccessors(t *testing.T) {
	var c epochCache
	_, _, ok := c.latest()
	require.False(t, ok)
	_, _, ok = c.earliest()
	require.False(t, ok)
	require.Empty(t, c.entries())
	require.Equal(t, 0, c.len())

	c.assign(2, 5)
	c.assign(4, 9)
	e, o, ok := c.latest()
	require.True(t, ok)
	require.Equal(t, ee(4, 9), ee(e, o))
	e, o, ok = c.earliest()
	require.True(t, ok)
	require.Equal(t, ee(2, 5), ee(e, o))
	require.Equal(t, 2, c.len())

	got := c.entries()
	got[0] = ee(99, 99)
	require.Equal(t, []EpochEntry{ee(2, 5), ee(4, 9)}, c.entries(), "entries returns a copy")

	c.clear()
	require.Equal(t, 0, c.len())
	require.True(t, c.assign(1, 0))
	require.Equal(t, []EpochEntry{ee(1, 0)}, c.entries())
}

func TestEpochTruncateFromEnd(t *testing.T) {
	three := []EpochEntry{ee(1, 5), ee(3, 10), ee(5, 20)}
	tests := []struct {
		name    string
		before  []EpochEntry
		end     int64
		changed bool
		after   []EpochEntry
	}{
		{"empty cache", nil, 10, false, nil},
		{"empty cache at zero", nil, 0, false, nil},
		{"before every entry", three, 3, true, nil},
		{"zero", three, 0, true, nil},
		{"exactly at first entry", three, 5, true, nil},
		{"between first and second", three, 7, true, []EpochEntry{ee(1, 5)}},
		{"exactly at middle entry", three, 10, true, []EpochEntry{ee(1, 5)}},
		{"exactly at last entry", three, 20, true, []EpochEntry{ee(1, 5), ee(3, 10)}},
		{"just after last entry", three, 21, false, three},
		{"far after every entry", three, math.MaxInt64, false, three},
		{"negative offset is ignored", three, -1, false, three},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := epochCacheOf(tt.before...)
			require.Equal(t, tt.changed, c.truncateFromEnd(tt.end))
			require.Equal(t, tt.after, nilIfEmpty(c.entries()))
		})
	}
}

func TestEpochTruncateFromStart(t *testing.T) {
	three := []EpochEntry{ee(1, 5), ee(3, 10), ee(5, 20)}
	tests := []struct {
		name    string
		before  []EpochEntry
		start   int64
		changed bool
		after   []EpochEntry
	}{
		{"empty cache", nil, 10, false, nil},
		{"before every entry", three, 3, false, three},
		{"negative", three, -1, false, three},
		{"exactly at first entry", three, 5, false, three},
		{"between first and second", three, 7, true, []EpochEntry{ee(1, 7), ee(3, 10), ee(5, 20)}},
		{"exactly at middle entry", three, 10, true, []EpochEntry{ee(3, 10), ee(5, 20)}},
		{"just after middle entry", three, 11, true, []EpochEntry{ee(3, 11), ee(5, 20)}},
		{"exactly at last entry", three, 20, true, []EpochEntry{ee(5, 20)}},
		{"after every entry", three, 100, true, []EpochEntry{ee(5, 100)}},
		{"single entry, exactly at it", []EpochEntry{ee(2, 8)}, 8, false, []EpochEntry{ee(2, 8)}},
		{"single entry, after it", []EpochEntry{ee(2, 8)}, 9, true, []EpochEntry{ee(2, 9)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := epochCacheOf(tt.before...)
			require.Equal(t, tt.changed, c.truncateFromStart(tt.start))
			require.Equal(t, tt.after, nilIfEmpty(c.entries()))
			require.True(t, validEpochEntries(c.entries()))
		})
	}
}

func TestEpochEndOffsetFor(t *testing.T) {
	const leo = 50
	three := []EpochEntry{ee(2, 10), ee(4, 20), ee(7, 35)}
	tests := []struct {
		name       string
		entries    []EpochEntry
		requested  int32
		wantEpoch  int32
		wantOffset int64
	}{
		{"undefined", three, -1, -1, -1},
		{"undefined on empty cache", nil, -1, -1, -1},
		{"empty cache", nil, 3, -1, -1},
		{"empty cache epoch zero", nil, 0, -1, -1},
		{"latest epoch gets log end", three, 7, 7, leo},
		{"newer than every epoch", three, 8, -1, -1},
		{"much newer than every epoch", three, math.MaxInt32, -1, -1},
		{"below first epoch", three, 1, 1, 10},
		{"zero below first epoch", three, 0, 0, 10},
		{"negative other than undefined", three, -2, -2, 10},
		{"first epoch", three, 2, 2, 20},
		{"gap after first epoch", three, 3, 2, 20},
		{"middle epoch", three, 4, 4, 35},
		{"gap after middle epoch", three, 6, 4, 35},
		{"single entry, its epoch", []EpochEntry{ee(3, 0)}, 3, 3, leo},
		{"single entry, below it", []EpochEntry{ee(3, 0)}, 2, 2, 0},
		{"single entry, above it", []EpochEntry{ee(3, 0)}, 4, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := epochCacheOf(tt.entries...)
			epoch, offset := c.endOffsetFor(tt.requested, leo)
			require.Equal(t, tt.wantEpoch, epoch, "epoch")
			require.Equal(t, tt.wantOffset, offset, "end offset")
		})
	}
}

func TestEpochConcurrent(t *testing.T) {
	var c epochCache
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 2 {
		wg.Go(func() {
			for i := range 2000 {
				c.assign(int32(i/4), int64(i*10+w))
				if i%97 == 0 {
					c.truncateFromEnd(int64(i * 9))
				}
				if i%131 == 0 {
					c.truncateFromStart(int64(i * 5))
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				l := c.entries()
				if !validEpochEntries(l) {
					t.Errorf("entries not increasing: %v", l)
					return
				}
				c.latest()
				c.earliest()
				c.len()
				c.endOffsetFor(3, 1000)
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	require.True(t, validEpochEntries(c.entries()))
}

// epochFS returns the filesystems the checkpoint tests run on, each with
// a fresh directory.
func epochFS(t *testing.T) map[string]func() (vfs.FS, string) {
	return map[string]func() (vfs.FS, string){
		"mem": func() (vfs.FS, string) {
			m := vfs.NewMem()
			require.NoError(t, m.MkdirAll("/p-0", 0o755))
			return m, "/p-0"
		},
		"os": func() (vfs.FS, string) { return vfs.Default, t.TempDir() },
	}
}

// readFile returns the whole named file.
func epochReadFile(t *testing.T, fsys vfs.FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(name)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	b := make([]byte, st.Size())
	_, err = f.ReadAt(b, 0)
	require.NoError(t, err)
	return b
}

// epochWriteRaw writes data as the named file, synced.
func epochWriteRaw(t *testing.T, fsys vfs.FS, name string, data []byte) {
	t.Helper()
	f, err := fsys.Create(name)
	require.NoError(t, err)
	_, err = f.WriteAt(data, 0)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

func TestEpochCheckpointRoundTrip(t *testing.T) {
	lists := []struct {
		entries []EpochEntry
		text    string
	}{
		{nil, "0\n0\n"},
		{[]EpochEntry{ee(0, 0)}, "0\n1\n0 0\n"},
		{[]EpochEntry{ee(0, 0), ee(3, 120)}, "0\n2\n0 0\n3 120\n"},
		{[]EpochEntry{ee(1, 5), ee(math.MaxInt32, math.MaxInt64)}, "0\n2\n1 5\n2147483647 9223372036854775807\n"},
	}
	for name, mk := range epochFS(t) {
		t.Run(name, func(t *testing.T) {
			fsys, dir := mk()
			got, err := readEpochCheckpoint(fsys, dir)
			require.NoError(t, err, "a missing file is not an error")
			require.Nil(t, got)

			for _, l := range lists {
				require.NoError(t, writeEpochCheckpoint(fsys, dir, l.entries))
				require.Equal(t, l.text, string(epochReadFile(t, fsys, filepath.Join(dir, epochCheckpointName))))
				got, err := readEpochCheckpoint(fsys, dir)
				require.NoError(t, err)
				require.Equal(t, l.entries, nilIfEmpty(got))
			}
			names, err := fsys.List(dir)
			require.NoError(t, err)
			require.Equal(t, []string{epochCheckpointName}, names, "no temporary file left")

			// A cache written and read back is the same cache.
			c := newEpochCache(nil)
			for i := range 50 {
				c.assign(int32(i*2), int64(i*i*7))
			}
			require.NoError(t, writeEpochCheckpoint(fsys, dir, c.entries()))
			got, err = readEpochCheckpoint(fsys, dir)
			require.NoError(t, err)
			require.Equal(t, c.entries(), got)
		})
	}
}

func TestEpochCheckpointReadBadFile(t *testing.T) {
	for name, mk := range epochFS(t) {
		t.Run(name, func(t *testing.T) {
			fsys, dir := mk()
			path := filepath.Join(dir, epochCheckpointName)
			epochWriteRaw(t, fsys, path, []byte("0\n2\n1 0\n"))
			_, err := readEpochCheckpoint(fsys, dir)
			require.ErrorIs(t, err, ErrBadCheckpoint)
			require.Contains(t, err.Error(), path)

			// Kafka creates the file empty before writing it.
			epochWriteRaw(t, fsys, path, nil)
			got, err := readEpochCheckpoint(fsys, dir)
			require.NoError(t, err)
			require.Nil(t, got)
		})
	}
}

func TestEpochCheckpointTooLarge(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/p", 0o755))
	// The size is checked before anything else.
	data := bytes.Repeat([]byte("1 1\n"), maxCheckpointSize/4+1)
	copy(data, "0\n0\n")
	epochWriteRaw(t, m, "/p/"+epochCheckpointName, data)
	_, err := readEpochCheckpoint(m, "/p")
	require.ErrorIs(t, err, ErrBadCheckpoint)
	require.Contains(t, err.Error(), "larger than")
	_, err = parseEpochCheckpoint(data)
	require.ErrorIs(t, err, ErrBadCheckpoint)
	require.Contains(t, err.Error(), "larger than")
}

func TestEpochCheckpointWriteRefusesBadEntries(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/p", 0o755))
	for _, l := range [][]EpochEntry{
		{ee(-1, 0)},
		{ee(0, -1)},
		{ee(1, 0), ee(1, 5)},
		{ee(1, 5), ee(2, 5)},
		{ee(2, 0), ee(1, 5)},
	} {
		err := writeEpochCheckpoint(m, "/p", l)
		require.ErrorIs(t, err, errEpochOrder, "%v", l)
		require.Contains(t, err.Error(), epochCheckpointName)
	}
	names, err := m.List("/p")
	require.NoError(t, err)
	require.Empty(t, names)
}

func TestEpochParseCheckpoint(t *testing.T) {
	good := []struct {
		text string
		want []EpochEntry
	}{
		{"", nil},
		{"0\n0\n", nil},
		{"0\n1\n0 0\n", []EpochEntry{ee(0, 0)}},
		{"0\n3\n0 0\n10 1000\n2147483647 9223372036854775807\n", []EpochEntry{ee(0, 0), ee(10, 1000), ee(math.MaxInt32, math.MaxInt64)}},
	}
	for _, g := range good {
		got, err := parseEpochCheckpoint([]byte(g.text))
		require.NoError(t, err, "%q", g.text)
		require.Equal(t, g.want, nilIfEmpty(got), "%q", g.text)
	}

	bad := []struct{ name, text string }{
		{"no line end", "0"},
		{"only a line end", "\n"},
		{"version only", "0\n"},
		{"wrong version", "1\n0\n"},
		{"version with leading zero", "00\n0\n"},
		{"version with sign", "+0\n0\n"},
		{"version not a number", "v0\n0\n"},
		{"empty count", "0\n\n"},
		{"negative count", "0\n-1\n"},
		{"count with sign", "0\n+1\n1 0\n"},
		{"count with leading zero", "0\n01\n1 0\n"},
		{"count beyond int32", "0\n2147483648\n"},
		{"count not a number", "0\nx\n"},
		{"fewer lines than count", "0\n2\n1 0\n"},
		{"more lines than count", "0\n1\n1 0\n2 5\n"},
		{"lines after zero count", "0\n0\n1 0\n"},
		{"blank line after entries", "0\n1\n1 0\n\n"},
		{"huge count", "0\n2147483647\n0 0\n"},
		{"last line without line end", "0\n1\n1 0"},
		{"CRLF entry", "0\n1\n1 0\r\n"},
		{"CRLF everywhere", "0\r\n1\r\n1 0\r\n"},
		{"empty entry", "0\n1\n\n"},
		{"one field", "0\n1\n1\n"},
		{"three fields", "0\n1\n1 0 5\n"},
		{"two spaces", "0\n1\n1  0\n"},
		{"tab", "0\n1\n1\t0\n"},
		{"leading space", "0\n1\n 1 0\n"},
		{"trailing space", "0\n1\n1 0 \n"},
		{"negative epoch", "0\n1\n-1 0\n"},
		{"negative offset", "0\n1\n1 -5\n"},
		{"epoch with sign", "0\n1\n+1 0\n"},
		{"offset with sign", "0\n1\n1 +5\n"},
		{"epoch with leading zero", "0\n1\n01 0\n"},
		{"offset with leading zero", "0\n1\n1 05\n"},
		{"negative zero", "0\n1\n-0 0\n"},
		{"epoch beyond int32", "0\n1\n2147483648 0\n"},
		{"offset beyond int64", "0\n1\n1 9223372036854775808\n"},
		{"offset of 20 digits", "0\n1\n1 18446744073709551616\n"},
		{"offset of 25 digits", "0\n1\n1 9999999999999999999999999\n"},
		{"epoch not a number", "0\n1\na 0\n"},
		{"hex offset", "0\n1\n1 0x10\n"},
		{"non-ASCII digit", "0\n1\n1 \uff15\n"},
		{"equal epochs", "0\n2\n1 0\n1 5\n"},
		{"decreasing epochs", "0\n2\n2 0\n1 5\n"},
		{"equal offsets", "0\n2\n1 5\n2 5\n"},
		{"decreasing offsets", "0\n2\n1 5\n2 3\n"},
		{"NUL byte", "0\n1\n1 0\x00\n"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			got, err := parseEpochCheckpoint([]byte(b.text))
			require.ErrorIs(t, err, ErrBadCheckpoint)
			require.Nil(t, got)
		})
	}
}

func TestEpochParseHugeCountDoesNotAllocate(t *testing.T) {
	inputs := [][]byte{
		[]byte("0\n2147483647\n0 0\n"),
		[]byte("0\n2147483647\n"),
		[]byte("0\n1000000\n0 0\n1 1\n"),
	}
	// Warm up, so that one-off allocations do not count.
	for _, in := range inputs {
		_, err := parseEpochCheckpoint(in)
		require.ErrorIs(t, err, ErrBadCheckpoint)
	}
	const runs = 100
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		for _, in := range inputs {
			if _, err := parseEpochCheckpoint(in); !errors.Is(err, ErrBadCheckpoint) {
				t.Fatalf("parse %q: %v", in, err)
			}
		}
	}
	runtime.ReadMemStats(&after)
	perRun := (after.TotalAlloc - before.TotalAlloc) / runs
	require.Less(t, perRun, uint64(4096), "bytes allocated per run of %d inputs", len(inputs))
}

func TestEpochCheckpointCrash(t *testing.T) {
	newer := []EpochEntry{ee(1, 0), ee(4, 77), ee(9, 300)}
	for _, tc := range []struct {
		name  string
		older []EpochEntry // nil: no file before
		exist bool
	}{
		{"replacing a file", []EpochEntry{ee(1, 0), ee(2, 40)}, true},
		{"replacing an empty history", nil, true},
		{"first write", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := vfs.NewMem()
			require.NoError(t, m.MkdirAll("/d/p-0", 0o755))
			require.NoError(t, m.SyncDir("/d"))
			require.NoError(t, m.SyncDir("/"))
			if tc.exist {
				require.NoError(t, writeEpochCheckpoint(m, "/d/p-0", tc.older))
			}

			// check reads the checkpoint of a crash at the point named
			// by what and returns whether it held the new entries.
			check := func(c *vfs.MemFS, what string) bool {
				got, err := readEpochCheckpoint(c, "/d/p-0")
				require.NoError(t, err, what)
				got = nilIfEmpty(got)
				if slices.Equal(got, newer) {
					return true
				}
				require.Equal(t, tc.older, got, what)
				// The crashed directory takes the next write.
				require.NoError(t, writeEpochCheckpoint(c, "/d/p-0", newer), what)
				again, err := readEpochCheckpoint(c, "/d/p-0")
				require.NoError(t, err, what)
				require.Equal(t, newer, again, what)
				return false
			}

			sawNew := false
			crashAt := func(point string, wantNew *bool) {
				got := check(m.CrashClone(vfs.CrashOptions{}), point+", synced state only")
				if wantNew != nil {
					require.Equal(t, *wantNew, got, point)
				}
				for seed := range uint64(30) {
					rng := rand.New(rand.NewPCG(seed, 7))
					sawNew = check(m.CrashClone(vfs.CrashOptions{Rand: rng}), fmt.Sprintf("%s, seed %d", point, seed)) || sawNew
				}
			}
			no, yes := false, true
			h := vfs.Hook(m, func(op vfs.Op) error {
				// Until the rename is synced, only the old file is
				// durable.
				crashAt("before "+op.Kind.String(), &no)
				return nil
			})
			require.NoError(t, writeEpochCheckpoint(h, "/d/p-0", newer))
			crashAt("after the write", &yes)
			require.True(t, sawNew, "some random crash kept the unsynced rename")
		})
	}
}

func FuzzParseEpochCheckpoint(f *testing.F) {
	f.Add(appendEpochCheckpoint(nil, []EpochEntry{ee(0, 0), ee(5, 1000)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseEpochCheckpoint(data)
		if err != nil {
			require.ErrorIs(t, err, ErrBadCheckpoint)
			require.Nil(t, entries)
			return
		}
		if len(data) == 0 {
			require.Empty(t, entries)
			return
		}
		require.True(t, validEpochEntries(entries), "%v", entries)
		require.Equal(t, string(data), string(appendEpochCheckpoint(nil, entries)))
		// The entries make a cache unchanged by loading.
		require.Equal(t, nilIfEmpty(entries), nilIfEmpty(newEpochCache(entries).entries()))
	})
}
