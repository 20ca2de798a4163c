package index

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

func TestTimeLookup(t *testing.T) {
	es := []TimeEntry{{1000, 110}, {2000, 120}, {2500, 120}, {4000, 135}}
	none := TimeEntry{Timestamp: NoTimestamp, Offset: testBase}
	tests := []struct {
		name string
		ts   int64
		want TimeEntry
	}{
		{"no timestamp", NoTimestamp, none},
		{"before the first entry", 999, none},
		{"first entry", 1000, es[0]},
		{"between entries", 1500, es[0]},
		{"second entry", 2000, es[1]},
		{"third entry, same offset", 2500, es[2]},
		{"just before the last", 3999, es[2]},
		{"last entry", 4000, es[3]},
		{"after the last", math.MaxInt64, es[3]},
	}
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		x := openTime(t, fsys, dir, 1024, true)
		for _, tt := range tests {
			require.Equal(t, none, x.Lookup(tt.ts), "empty index, %s", tt.name)
		}
		appendTimes(t, x, es)
		check := func(x *TimeIndex, when string) {
			for _, tt := range tests {
				require.Equal(t, tt.want, x.Lookup(tt.ts), "%s, %s", when, tt.name)
			}
		}
		check(x, "in memory")
		require.NoError(t, x.Flush())
		require.NoError(t, x.Close())
		y := openTime(t, fsys, dir, 1024, false)
		check(y, "reopened")
		require.Equal(t, es, timeEntries(y))
		last, ok := y.Last()
		require.True(t, ok)
		require.Equal(t, es[3], last)
	})
}

func TestTimeAppend(t *testing.T) {
	type step struct {
		ts, offset int64
		want       error // nil: accepted, whether added or not
	}
	tests := []struct {
		name  string
		steps []step
		want  []TimeEntry
	}{
		{"no timestamp on an empty index is ignored",
			[]step{{NoTimestamp, 105, nil}, {-5, 105, nil}}, nil},
		{"no timestamp ignored even below the base",
			[]step{{NoTimestamp, 50, nil}}, nil},
		{"first entry at the base offset with timestamp 0",
			[]step{{0, testBase, nil}}, []TimeEntry{{0, testBase}}},
		{"equal timestamp is ignored",
			[]step{{10, 105, nil}, {10, 106, nil}}, []TimeEntry{{10, 105}}},
		{"greater timestamp, same offset",
			[]step{{10, 105, nil}, {20, 105, nil}}, []TimeEntry{{10, 105}, {20, 105}}},
		{"smaller timestamp",
			[]step{{10, 105, nil}, {9, 107, ErrOrder}}, []TimeEntry{{10, 105}}},
		{"smaller offset",
			[]step{{10, 105, nil}, {20, 104, ErrOrder}}, []TimeEntry{{10, 105}}},
		{"smaller offset with an equal timestamp",
			[]step{{10, 105, nil}, {10, 104, ErrOrder}}, []TimeEntry{{10, 105}}},
		{"offset below the base",
			[]step{{5, 99, ErrOverflow}}, nil},
		{"relative offset over 2^31-1",
			[]step{{5, testBase + math.MaxInt32 + 1, ErrOverflow}}, nil},
		{"largest relative offset",
			[]step{{5, testBase + math.MaxInt32, nil}}, []TimeEntry{{5, testBase + math.MaxInt32}}},
	}
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				x := openTime(t, fsys, dir, 1024, true)
				x.Reset()
				for i, s := range tt.steps {
					err := x.Append(s.ts, s.offset, false)
					if s.want == nil {
						require.NoError(t, err, "step %d", i)
					} else {
						require.ErrorIs(t, err, s.want, "step %d", i)
						require.ErrorContains(t, err, x.Path())
					}
				}
				require.Equal(t, tt.want, timeEntries(x))
				require.NoError(t, x.Close())
			})
		}
	})
}

func TestTimeFull(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		x := openTime(t, fsys, dir, 4*TimeEntrySize, true)
		require.Equal(t, 4, x.MaxEntries())
		es := timeSeq(testBase, 6)
		for i, e := range es[:3] {
			require.False(t, x.Full(), "entry %d", i)
			require.NoError(t, x.Append(e.Timestamp, e.Offset, false))
		}
		require.True(t, x.Full(), "the last slot is reserved")
		require.ErrorIs(t, x.Append(es[3].Timestamp, es[3].Offset, false), ErrFull)
		// An ignored entry needs no room.
		require.NoError(t, x.Append(es[2].Timestamp, es[3].Offset, false))
		require.NoError(t, x.Append(es[3].Timestamp, es[3].Offset, true), "the final entry fits")
		require.True(t, x.Full())
		require.ErrorIs(t, x.Append(es[4].Timestamp, es[4].Offset, true), ErrFull, "no slot is left")
		require.Equal(t, es[:4], timeEntries(x))

		// The final entry reaches the file.
		require.NoError(t, x.Seal())
		require.Equal(t, int64(4*TimeEntrySize), fileSize(t, fsys, x.Path()))
		require.NoError(t, x.Close())
		require.Equal(t, es[:4], timeEntries(openTime(t, fsys, dir, 4*TimeEntrySize, false)))
	})
}

func TestTimeIndexOfOne(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		// Room for one entry: only the final one.
		x := openTime(t, fsys, dir, TimeEntrySize, true)
		require.True(t, x.Full())
		require.ErrorIs(t, x.Append(10, 105, false), ErrFull)
		require.NoError(t, x.Append(10, 105, true))
		require.NoError(t, x.Close())
	})
}
