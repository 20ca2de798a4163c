package index

import (
	"io/fs"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

func TestOffsetLookup(t *testing.T) {
	es := []OffsetEntry{{110, 4100}, {120, 8300}, {135, 12400}}
	none := OffsetEntry{Offset: testBase, Position: 0}
	tests := []struct {
		name   string
		target int64
		want   OffsetEntry
	}{
		{"below the base", 50, none},
		{"at the base", testBase, none},
		{"before the first entry", 109, none},
		{"first entry", 110, es[0]},
		{"between first and second", 115, es[0]},
		{"second entry", 120, es[1]},
		{"just before the last", 134, es[1]},
		{"last entry", 135, es[2]},
		{"after the last", 1 << 40, es[2]},
	}
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		x := openOffset(t, fsys, dir, 1024, true)
		for _, tt := range tests {
			require.Equal(t, none, x.Lookup(tt.target), "empty index, %s", tt.name)
		}
		appendOffsets(t, x, es)
		check := func(x *OffsetIndex, when string) {
			for _, tt := range tests {
				require.Equal(t, tt.want, x.Lookup(tt.target), "%s, %s", when, tt.name)
			}
		}
		check(x, "in memory")
		require.NoError(t, x.Flush())
		require.NoError(t, x.Close())
		y := openOffset(t, fsys, dir, 1024, false)
		check(y, "reopened")
		last, ok := y.Last()
		require.True(t, ok)
		require.Equal(t, es[2], last)
		require.Equal(t, 3, y.Len())
		require.Equal(t, es, offsetEntries(y))
	})
}

func TestOffsetAppendErrors(t *testing.T) {
	tests := []struct {
		name             string
		offset, position int64
		want             error
	}{
		{"same offset", 110, 5000, ErrOrder},
		{"lower offset", 105, 5000, ErrOrder},
		{"same position", 120, 4100, ErrOrder},
		{"lower position", 120, 4000, ErrOrder},
		{"offset below the base", 99, 5000, ErrOverflow},
		{"offset far below the base", math.MinInt64, 5000, ErrOverflow},
		{"relative offset over 2^31-1", testBase + math.MaxInt32 + 1, 5000, ErrOverflow},
		{"negative position", 120, -1, ErrOverflow},
		{"position over 2^31-1", 120, math.MaxInt32 + 1, ErrOverflow},
		{"largest relative offset and position", testBase + math.MaxInt32, math.MaxInt32, nil},
		{"next entry", 111, 4101, nil},
	}
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				x := openOffset(t, fsys, dir, 1024, true)
				defer x.Close()
				x.Reset()
				require.NoError(t, x.Append(110, 4100))
				err := x.Append(tt.offset, tt.position)
				if tt.want == nil {
					require.NoError(t, err)
					require.Equal(t, 2, x.Len())
					return
				}
				require.ErrorIs(t, err, tt.want)
				require.ErrorContains(t, err, x.Path())
				require.Equal(t, []OffsetEntry{{110, 4100}}, offsetEntries(x))
			})
		}
	})
}

func TestOffsetFull(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		// 4 entries and 5 bytes: rounded down to 4 entries.
		x := openOffset(t, fsys, dir, 4*OffsetEntrySize+5, true)
		require.Equal(t, 4, x.MaxEntries())
		require.Zero(t, fileSize(t, fsys, x.Path()), "not preallocated before a write")
		es := offsetSeq(testBase, 5)
		for i, e := range es[:4] {
			require.False(t, x.Full(), "entry %d", i)
			require.NoError(t, x.Append(e.Offset, e.Position))
		}
		require.True(t, x.Full())
		require.ErrorIs(t, x.Append(es[4].Offset, es[4].Position), ErrFull)
		require.Equal(t, 4, x.Len())
		require.NoError(t, x.Flush())
		require.Equal(t, int64(4*OffsetEntrySize), fileSize(t, fsys, x.Path()), "preallocated by the first flush")
		require.NoError(t, x.Close())
	})
}

func TestCanAppendOffset(t *testing.T) {
	x := &OffsetIndex{}
	x.s.base = testBase
	for _, tt := range []struct {
		offset int64
		want   bool
	}{
		{testBase - 1, false},
		{testBase, true},
		{testBase + math.MaxInt32, true},
		{testBase + math.MaxInt32 + 1, false},
		{math.MinInt64, false},
		{math.MaxInt64, false},
	} {
		require.Equal(t, tt.want, x.CanAppendOffset(tt.offset), "offset %d", tt.offset)
	}
}

func TestOpenErrors(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		_, err := OpenOffsetIndex(fsys, offsetPath(dir), testBase, 1024, false)
		require.ErrorIs(t, err, fs.ErrNotExist, "missing file, read-only")
		_, err = OpenTimeIndex(fsys, timePath(dir), testBase, 1024, false)
		require.ErrorIs(t, err, fs.ErrNotExist, "missing file, read-only")

		_, err = OpenOffsetIndex(fsys, offsetPath(dir), -1, 1024, true)
		require.ErrorContains(t, err, "negative base offset")
		_, err = OpenOffsetIndex(fsys, offsetPath(dir), testBase, OffsetEntrySize-1, true)
		require.ErrorContains(t, err, "less than one")
		_, err = OpenTimeIndex(fsys, timePath(dir), testBase, TimeEntrySize-1, true)
		require.ErrorContains(t, err, "less than one")

		// A missing file is created when writable, empty until a flush
		// writes to it.
		x := openOffset(t, fsys, dir, 1000, true)
		require.Zero(t, fileSize(t, fsys, x.Path()))
		require.Equal(t, 125, x.MaxEntries())
		require.Equal(t, int64(testBase), x.BaseOffset())
		require.Equal(t, 0, x.Len())
		_, ok := x.Last()
		require.False(t, ok)
		y := openTime(t, fsys, dir, 1000, true)
		require.Equal(t, 83, y.MaxEntries(), "rounded down to 83 entries")
		require.NoError(t, x.Append(testBase+1, 100))
		require.NoError(t, y.Append(5, testBase+1, false))
		require.NoError(t, x.Flush())
		require.NoError(t, y.Flush())
		require.Equal(t, int64(1000), fileSize(t, fsys, x.Path()), "preallocated")
		require.Equal(t, int64(996), fileSize(t, fsys, y.Path()), "preallocated to 83 entries")
		require.NoError(t, x.Close())
		require.NoError(t, y.Close())
		require.Equal(t, int64(OffsetEntrySize), fileSize(t, fsys, x.Path()), "Close trims what it preallocated")
		require.Equal(t, int64(TimeEntrySize), fileSize(t, fsys, y.Path()))
	})
}

func TestClosed(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		es := offsetSeq(testBase, 3)
		x := openOffset(t, fsys, dir, 1024, true)
		appendOffsets(t, x, es)
		require.NoError(t, x.Close())
		require.ErrorIs(t, x.Append(1000, 1<<20), ErrClosed)
		require.ErrorIs(t, x.Flush(), ErrClosed)
		require.ErrorIs(t, x.Seal(), ErrClosed)
		require.ErrorIs(t, x.Resize(1024), ErrClosed)
		require.ErrorIs(t, x.Close(), ErrClosed)
		x.TruncateTo(testBase)
		x.Reset()
		require.Equal(t, es, offsetEntries(x), "readers still answer")
		require.Equal(t, es[1], x.Lookup(es[1].Offset+1))

		ts := timeSeq(testBase, 3)
		y := openTime(t, fsys, dir, 1024, true)
		appendTimes(t, y, ts)
		require.NoError(t, y.Close())
		require.ErrorIs(t, y.Append(ts[2].Timestamp+1, ts[2].Offset, true), ErrClosed)
		require.ErrorIs(t, y.Flush(), ErrClosed)
		require.ErrorIs(t, y.Seal(), ErrClosed)
		require.ErrorIs(t, y.Resize(1024), ErrClosed)
		require.ErrorIs(t, y.Close(), ErrClosed)
		y.TruncateTo(testBase)
		y.Reset()
		require.Equal(t, ts, timeEntries(y))

		// Close wrote the pending entries, without a Flush.
		require.Equal(t, es, offsetEntries(openOffset(t, fsys, dir, 1024, false)))
		require.Equal(t, ts, timeEntries(openTime(t, fsys, dir, 1024, false)))
	})
}
