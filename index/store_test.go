package index

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

const testMaxBytes = 1200 // 150 offset entries, 100 time entries

func TestFlushReopen(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		es, ts := offsetSeq(testBase, 40), timeSeq(testBase, 40)
		x := openOffset(t, fsys, dir, testMaxBytes, true)
		y := openTime(t, fsys, dir, testMaxBytes, true)
		// Flushing in pieces: each flush writes only what is pending.
		for _, part := range [][2]int{{0, 1}, {1, 17}, {17, 17}, {17, 40}} {
			appendOffsets(t, x, es[part[0]:part[1]])
			appendTimes(t, y, ts[part[0]:part[1]])
			require.NoError(t, x.Flush())
			require.NoError(t, y.Flush())
		}
		require.Equal(t, int64(testMaxBytes), fileSize(t, fsys, x.Path()), "still preallocated")
		require.Equal(t, int64(testMaxBytes), fileSize(t, fsys, y.Path()))

		for _, writable := range []bool{false, true} {
			x2 := openOffset(t, fsys, dir, testMaxBytes, writable)
			y2 := openTime(t, fsys, dir, testMaxBytes, writable)
			require.Equal(t, es, offsetEntries(x2), "writable %v", writable)
			require.Equal(t, ts, timeEntries(y2), "writable %v", writable)
			require.Equal(t, 150, x2.MaxEntries())
			require.Equal(t, 100, y2.MaxEntries())
		}
	})
}

func TestSealTrims(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		es, ts := offsetSeq(testBase, 30), timeSeq(testBase, 30)
		x := openOffset(t, fsys, dir, testMaxBytes, true)
		y := openTime(t, fsys, dir, testMaxBytes, true)
		appendOffsets(t, x, es[:20])
		appendTimes(t, y, ts[:20])
		require.NoError(t, x.Flush())
		require.NoError(t, y.Flush())
		appendOffsets(t, x, es[20:25])
		appendTimes(t, y, ts[20:25])
		require.NoError(t, x.Seal())
		require.NoError(t, y.Seal())
		require.Equal(t, int64(25*OffsetEntrySize), fileSize(t, fsys, x.Path()))
		require.Equal(t, int64(25*TimeEntrySize), fileSize(t, fsys, y.Path()))
		require.NoError(t, x.Seal(), "sealing again does nothing")
		require.Equal(t, es[:25], offsetEntries(openOffset(t, fsys, dir, testMaxBytes, false)))
		require.Equal(t, ts[:25], timeEntries(openTime(t, fsys, dir, testMaxBytes, false)))

		// Appending to a sealed index writes past the end of the file.
		appendOffsets(t, x, es[25:])
		appendTimes(t, y, ts[25:])
		require.NoError(t, x.Flush())
		require.NoError(t, y.Flush())
		require.Equal(t, int64(30*OffsetEntrySize), fileSize(t, fsys, x.Path()))
		require.Equal(t, es, offsetEntries(openOffset(t, fsys, dir, testMaxBytes, false)))
		require.Equal(t, ts, timeEntries(openTime(t, fsys, dir, testMaxBytes, false)))
		require.NoError(t, x.Close())
		require.NoError(t, y.Close())
	})
}

func TestResize(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		es := offsetSeq(testBase, 60)
		x := openOffset(t, fsys, dir, 400, true)
		require.Equal(t, 50, x.MaxEntries())
		appendOffsets(t, x, es[:10])
		require.NoError(t, x.Seal())
		require.NoError(t, x.Close())

		// A sealed file opened read-only becomes active again.
		x = openOffset(t, fsys, dir, 400, false)
		require.Equal(t, int64(10*OffsetEntrySize), fileSize(t, fsys, x.Path()))
		require.NoError(t, x.Resize(480))
		require.Equal(t, 60, x.MaxEntries())
		require.Equal(t, int64(10*OffsetEntrySize), fileSize(t, fsys, x.Path()), "untouched until a flush")
		appendOffsets(t, x, es[10:])
		require.True(t, x.Full())
		require.NoError(t, x.Flush())
		require.Equal(t, int64(480), fileSize(t, fsys, x.Path()), "preallocated again")
		require.Equal(t, es, offsetEntries(openOffset(t, fsys, dir, 480, false)))

		// Never below the entries it holds.
		require.NoError(t, x.Resize(OffsetEntrySize))
		require.Equal(t, 60, x.MaxEntries())
		require.Equal(t, int64(480), fileSize(t, fsys, x.Path()))
		require.NoError(t, x.Close())

		// A file with more entries than maxBytes allows loads whole,
		// and a writable open leaves its entries alone.
		y := openOffset(t, fsys, dir, 80, true)
		require.Equal(t, es, offsetEntries(y))
		require.Equal(t, 60, y.MaxEntries())
		require.True(t, y.Full())
		require.Equal(t, int64(480), fileSize(t, fsys, y.Path()))
		require.NoError(t, y.Close())

		// Time index: the same.
		ts := timeSeq(testBase, 12)
		z := openTime(t, fsys, dir, 10*TimeEntrySize, true)
		appendTimes(t, z, ts[:9])
		require.True(t, z.Full())
		require.NoError(t, z.Seal())
		require.NoError(t, z.Resize(20*TimeEntrySize))
		require.False(t, z.Full())
		require.Equal(t, int64(9*TimeEntrySize), fileSize(t, fsys, z.Path()))
		appendTimes(t, z, ts[9:])
		require.NoError(t, z.Flush())
		require.Equal(t, int64(20*TimeEntrySize), fileSize(t, fsys, z.Path()))
		require.NoError(t, z.Close())
		require.Equal(t, int64(12*TimeEntrySize), fileSize(t, fsys, z.Path()))
		require.Equal(t, ts, timeEntries(openTime(t, fsys, dir, 20*TimeEntrySize, false)))
	})
}

func TestTruncateThenAppend(t *testing.T) {
	tests := []struct {
		name    string
		flushed int   // entries flushed before truncating
		to      int64 // TruncateTo argument, relative to the base
		kept    int
		finish  string // how the file is written afterwards
	}{
		{"in memory only", 0, 50, 5, "flush"},
		{"flushed, cut below", 20, 50, 5, "flush"},
		{"flushed, cut at an entry", 20, 49, 4, "flush"},
		{"flushed, cut above everything", 20, 1000, 20, "flush"},
		{"flushed, cut to the base", 20, 0, 0, "flush"},
		{"flushed, cut below, sealed", 20, 50, 5, "seal"},
		{"flushed, cut below, closed", 20, 50, 5, "close"},
	}
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				es, ts := offsetSeq(testBase, 20), timeSeq(testBase, 20)
				x := openOffset(t, fsys, dir, testMaxBytes, true)
				y := openTime(t, fsys, dir, testMaxBytes, true)
				x.Reset()
				y.Reset()
				appendOffsets(t, x, es)
				appendTimes(t, y, ts)
				if tt.flushed > 0 {
					require.NoError(t, x.Flush())
					require.NoError(t, y.Flush())
				}
				x.TruncateTo(testBase + tt.to)
				y.TruncateTo(testBase + tt.to)
				requireEntries(t, es[:tt.kept], offsetEntries(x))
				requireEntries(t, ts[:tt.kept], timeEntries(y))

				// Two new entries after the cut, different from those
				// dropped, unless nothing was dropped.
				wantX, wantY := append([]OffsetEntry(nil), es[:tt.kept]...), append([]TimeEntry(nil), ts[:tt.kept]...)
				if tt.kept < len(es) {
					lastX, ok := x.Last()
					if !ok {
						lastX = OffsetEntry{Offset: testBase}
					}
					lastY, ok := y.Last()
					if !ok {
						lastY = TimeEntry{Timestamp: NoTimestamp, Offset: testBase}
					}
					for i := range int64(2) {
						ex := OffsetEntry{Offset: lastX.Offset + 3 + i, Position: lastX.Position + 7 + i}
						ey := TimeEntry{Timestamp: lastY.Timestamp + 3 + i, Offset: lastY.Offset + i}
						require.NoError(t, x.Append(ex.Offset, ex.Position))
						require.NoError(t, y.Append(ey.Timestamp, ey.Offset, false))
						wantX, wantY = append(wantX, ex), append(wantY, ey)
					}
				}
				switch tt.finish {
				case "flush":
					require.NoError(t, x.Flush())
					require.NoError(t, y.Flush())
					require.Equal(t, int64(testMaxBytes), fileSize(t, fsys, x.Path()))
				case "seal":
					require.NoError(t, x.Seal())
					require.NoError(t, y.Seal())
					require.Equal(t, int64(len(wantX)*OffsetEntrySize), fileSize(t, fsys, x.Path()))
				}
				require.NoError(t, x.Close())
				require.NoError(t, y.Close())
				require.Equal(t, int64(len(wantX)*OffsetEntrySize), fileSize(t, fsys, x.Path()))
				requireEntries(t, wantX, offsetEntries(openOffset(t, fsys, dir, testMaxBytes, false)))
				requireEntries(t, wantY, timeEntries(openTime(t, fsys, dir, testMaxBytes, false)))
			})
		}
	})
}

// TestTruncateReadOnly drops entries of an index opened read-only; the
// file is opened for writing only when the change is flushed.
func TestTruncateReadOnly(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		es := offsetSeq(testBase, 10)
		x := openOffset(t, fsys, dir, testMaxBytes, true)
		appendOffsets(t, x, es)
		require.NoError(t, x.Seal())
		require.NoError(t, x.Close())

		x = openOffset(t, fsys, dir, testMaxBytes, false)
		x.TruncateTo(es[6].Offset)
		require.NoError(t, x.Flush())
		require.Equal(t, int64(6*OffsetEntrySize), fileSize(t, fsys, x.Path()))
		require.Equal(t, es[:6], offsetEntries(openOffset(t, fsys, dir, testMaxBytes, false)))
		require.NoError(t, x.Close())
	})
}

func TestCrashKeepsFlushed(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/idx", 0o755))
	require.NoError(t, m.SyncDir("/"))
	es, ts := offsetSeq(testBase, 30), timeSeq(testBase, 30)
	x := openOffset(t, m, "/idx", testMaxBytes, true)
	y := openTime(t, m, "/idx", testMaxBytes, true)
	require.NoError(t, m.SyncDir("/idx"))
	appendOffsets(t, x, es[:20])
	appendTimes(t, y, ts[:20])
	require.NoError(t, x.Flush())
	require.NoError(t, y.Flush())
	appendOffsets(t, x, es[20:])
	appendTimes(t, y, ts[20:])

	// Crash with only what was synced: 20 entries before a zero tail.
	c := m.CrashClone(vfs.CrashOptions{})
	require.Equal(t, int64(testMaxBytes), fileSize(t, c, x.Path()))
	require.Equal(t, es[:20], offsetEntries(openOffset(t, c, "/idx", testMaxBytes, false)))
	require.Equal(t, ts[:20], timeEntries(openTime(t, c, "/idx", testMaxBytes, false)))

	// Close writes the rest and trims, without a sync: a crash keeps
	// either the synced file or the closed one, whole.
	require.NoError(t, x.Close())
	require.NoError(t, y.Close())
	seen := map[int]bool{}
	for seed := range uint64(64) {
		c := m.CrashClone(vfs.CrashOptions{Rand: rand.New(rand.NewPCG(seed, 1))})
		gotX := offsetEntries(openOffset(t, c, "/idx", testMaxBytes, false))
		gotY := timeEntries(openTime(t, c, "/idx", testMaxBytes, false))
		require.Contains(t, []int{20, 30}, len(gotX), "seed %d", seed)
		require.Equal(t, es[:len(gotX)], gotX, "seed %d", seed)
		require.Contains(t, []int{20, 30}, len(gotY), "seed %d", seed)
		require.Equal(t, ts[:len(gotY)], gotY, "seed %d", seed)
		seen[len(gotX)] = true
	}
	require.Len(t, seen, 2, "both outcomes happen")
}

// TestCrashTornFlush checks that a flush torn at any byte gives either an
// error wrapping ErrCorrupt or ordered entries, never a panic.
func TestCrashTornFlush(t *testing.T) {
	for seed := range uint64(200) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/idx", 0o755))
		// A sealed file, so that later entries extend it: the crash model
		// then tears the write at a random byte.
		x := openOffset(t, m, "/idx", testMaxBytes, true)
		y := openTime(t, m, "/idx", testMaxBytes, true)
		require.NoError(t, m.SyncDir("/"))
		require.NoError(t, m.SyncDir("/idx"))
		appendOffsets(t, x, offsetSeq(testBase, 40)[:10])
		appendTimes(t, y, timeSeq(testBase, 40)[:10])
		require.NoError(t, x.Seal())
		require.NoError(t, y.Seal())
		appendOffsets(t, x, offsetSeq(testBase, 40)[10:])
		appendTimes(t, y, timeSeq(testBase, 40)[10:])
		require.NoError(t, x.Close())
		require.NoError(t, y.Close())

		c := m.CrashClone(vfs.CrashOptions{Rand: rand.New(rand.NewPCG(seed, 2))})
		if ox, err := OpenOffsetIndex(c, filepath.Join("/idx", filepath.Base(x.Path())), testBase, testMaxBytes, false); err != nil {
			require.ErrorIs(t, err, ErrCorrupt, "seed %d", seed)
		} else {
			require.GreaterOrEqual(t, ox.Len(), 10, "seed %d", seed)
			requireOrderedOffsets(t, offsetEntries(ox), testBase)
		}
		if ot, err := OpenTimeIndex(c, y.Path(), testBase, testMaxBytes, false); err != nil {
			require.ErrorIs(t, err, ErrCorrupt, "seed %d", seed)
		} else {
			require.GreaterOrEqual(t, ot.Len(), 10, "seed %d", seed)
			requireOrderedTimes(t, timeEntries(ot), testBase)
		}
	}
}

func requireOrderedOffsets(t testing.TB, es []OffsetEntry, base int64) {
	t.Helper()
	for i, e := range es {
		require.True(t, relativeFits(e.Offset, base), "entry %d: %v", i, e)
		require.True(t, e.Position >= 0 && e.Position <= maxRelative, "entry %d: %v", i, e)
		if i > 0 {
			require.Greater(t, e.Offset, es[i-1].Offset, "entry %d", i)
			require.Greater(t, e.Position, es[i-1].Position, "entry %d", i)
		}
	}
}

func requireOrderedTimes(t testing.TB, es []TimeEntry, base int64) {
	t.Helper()
	for i, e := range es {
		require.True(t, relativeFits(e.Offset, base), "entry %d: %v", i, e)
		require.GreaterOrEqual(t, e.Timestamp, int64(0), "entry %d", i)
		if i > 0 {
			require.Greater(t, e.Timestamp, es[i-1].Timestamp, "entry %d", i)
			require.GreaterOrEqual(t, e.Offset, es[i-1].Offset, "entry %d", i)
		}
	}
}
