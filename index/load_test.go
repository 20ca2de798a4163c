package index

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func zeroBytes(n int) []byte { return make([]byte, n) }

func TestLoadOffsetIndex(t *testing.T) {
	tests := []struct {
		name      string
		base      int64
		data      []byte
		want      []OffsetEntry
		badEntry  int // with wantBad: the entry the error names
		wantBad   bool
		badReason string
	}{
		{name: "empty file", data: nil},
		{name: "only zeros", data: zeroBytes(80)},
		{name: "entries", data: offsetBytes([2]int32{9, 4100}, [2]int32{19, 8200}),
			want: []OffsetEntry{{109, 4100}, {119, 8200}}},
		{name: "entries and a zero tail", data: cat(offsetBytes([2]int32{9, 4100}, [2]int32{19, 8200}), zeroBytes(800)),
			want: []OffsetEntry{{109, 4100}, {119, 8200}}},
		{name: "a lone {0, 0} is the zero tail", data: offsetBytes([2]int32{0, 0}, [2]int32{0, 0})},
		{name: "a leading {0, 0} before entries is an entry", data: offsetBytes([2]int32{0, 0}, [2]int32{5, 50}),
			want: []OffsetEntry{{100, 0}, {105, 50}}},
		{name: "entry with a zero position", data: offsetBytes([2]int32{3, 0}, [2]int32{5, 50}),
			want: []OffsetEntry{{103, 0}, {105, 50}}},
		{name: "largest values", data: offsetBytes([2]int32{math.MaxInt32, math.MaxInt32}),
			want: []OffsetEntry{{100 + math.MaxInt32, math.MaxInt32}}},
		{name: "base near the top", base: math.MaxInt64 - 10, data: offsetBytes([2]int32{10, 1}),
			want: []OffsetEntry{{math.MaxInt64, 1}}},

		{name: "length not a multiple of 8", data: zeroBytes(7), wantBad: true, badEntry: -1, badReason: "multiple"},
		{name: "entries and half an entry", data: cat(offsetBytes([2]int32{9, 4100}), zeroBytes(4)), wantBad: true, badEntry: -1},
		{name: "negative relative offset", data: offsetBytes([2]int32{-1, 4100}), wantBad: true, badEntry: 0, badReason: "negative"},
		{name: "negative position", data: offsetBytes([2]int32{9, 4100}, [2]int32{19, -5}), wantBad: true, badEntry: 1},
		{name: "relative offset overflows the base", base: math.MaxInt64 - 10, data: offsetBytes([2]int32{11, 1}),
			wantBad: true, badEntry: 0, badReason: "overflows"},
		{name: "repeated offset", data: offsetBytes([2]int32{9, 4100}, [2]int32{9, 8200}), wantBad: true, badEntry: 1},
		{name: "decreasing offset", data: offsetBytes([2]int32{9, 4100}, [2]int32{19, 8200}, [2]int32{15, 9000}),
			wantBad: true, badEntry: 2},
		{name: "repeated position", data: offsetBytes([2]int32{9, 4100}, [2]int32{19, 4100}), wantBad: true, badEntry: 1},
		{name: "decreasing position", data: offsetBytes([2]int32{9, 4100}, [2]int32{19, 4000}), wantBad: true, badEntry: 1},
		{name: "zero entry between entries", data: offsetBytes([2]int32{9, 4100}, [2]int32{0, 0}, [2]int32{19, 8200}),
			wantBad: true, badEntry: 1},
		{name: "non-zero byte in the tail", data: cat(offsetBytes([2]int32{9, 4100}), zeroBytes(100), []byte{1, 0, 0, 0}),
			wantBad: true, badEntry: 1},
		{name: "non-zero last byte", data: cat(offsetBytes([2]int32{9, 4100}), zeroBytes(4087), []byte{1}),
			wantBad: true, badEntry: 1},
	}
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				base := tt.base
				if base == 0 {
					base = testBase
				}
				path := offsetPath(dir)
				for _, writable := range []bool{false, true} {
					writeFile(t, fsys, path, tt.data)
					x, err := OpenOffsetIndex(fsys, path, base, 1<<20, writable)
					if tt.wantBad {
						requireCorrupt(t, err, path, tt.badEntry, tt.badReason)
						require.Equal(t, int64(len(tt.data)), fileSize(t, fsys, path), "a corrupt file is left alone")
						continue
					}
					require.NoError(t, err)
					requireEntries(t, tt.want, offsetEntries(x))
					require.NoError(t, x.Close())
				}
			})
		}
	})
}

func TestLoadTimeIndex(t *testing.T) {
	tests := []struct {
		name      string
		base      int64
		data      []byte
		want      []TimeEntry
		wantBad   bool
		badEntry  int
		badReason string
	}{
		{name: "empty file", data: nil},
		{name: "only zeros", data: zeroBytes(120)},
		{name: "entries and a zero tail", data: cat(timeBytes(1000, 9), timeBytes(2000, 9), timeBytes(3000, 19), zeroBytes(1200)),
			want: []TimeEntry{{1000, 109}, {2000, 109}, {3000, 119}}},
		{name: "a lone {0, 0} is the zero tail", data: timeBytes(0, 0)},
		{name: "a leading {0, 0} before entries is an entry", data: cat(timeBytes(0, 0), timeBytes(5, 0)),
			want: []TimeEntry{{0, 100}, {5, 100}}},
		{name: "largest values", data: timeBytes(math.MaxInt64, math.MaxInt32),
			want: []TimeEntry{{math.MaxInt64, 100 + math.MaxInt32}}},

		{name: "length not a multiple of 12", data: zeroBytes(13), wantBad: true, badEntry: -1, badReason: "multiple"},
		{name: "an offset index's length", data: zeroBytes(16), wantBad: true, badEntry: -1},
		{name: "negative timestamp", data: timeBytes(-1, 9), wantBad: true, badEntry: 0, badReason: "timestamp"},
		{name: "negative relative offset", data: timeBytes(1000, -9), wantBad: true, badEntry: 0, badReason: "negative"},
		{name: "relative offset overflows the base", base: math.MaxInt64 - 1, data: timeBytes(1000, 2),
			wantBad: true, badEntry: 0, badReason: "overflows"},
		{name: "repeated timestamp", data: cat(timeBytes(1000, 9), timeBytes(1000, 19)), wantBad: true, badEntry: 1},
		{name: "decreasing timestamp", data: cat(timeBytes(1000, 9), timeBytes(999, 19)), wantBad: true, badEntry: 1},
		{name: "decreasing offset", data: cat(timeBytes(1000, 9), timeBytes(2000, 8)), wantBad: true, badEntry: 1,
			badReason: "below"},
		{name: "zero entry between entries", data: cat(timeBytes(1000, 9), timeBytes(0, 0), timeBytes(2000, 19)),
			wantBad: true, badEntry: 1},
		{name: "non-zero byte in the tail", data: cat(timeBytes(1000, 9), zeroBytes(108), timeBytes(1<<56, 0)),
			wantBad: true, badEntry: 1},
	}
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				base := tt.base
				if base == 0 {
					base = testBase
				}
				path := timePath(dir)
				for _, writable := range []bool{false, true} {
					writeFile(t, fsys, path, tt.data)
					x, err := OpenTimeIndex(fsys, path, base, 1<<20, writable)
					if tt.wantBad {
						requireCorrupt(t, err, path, tt.badEntry, tt.badReason)
						continue
					}
					require.NoError(t, err)
					requireEntries(t, tt.want, timeEntries(x))
					require.NoError(t, x.Close())
				}
			})
		}
	})
}

func requireCorrupt(t *testing.T, err error, path string, entry int, reason string) {
	t.Helper()
	require.ErrorIs(t, err, ErrCorrupt)
	var ce *CorruptError
	require.True(t, errors.As(err, &ce), "%v", err)
	require.Equal(t, path, ce.Path)
	require.Equal(t, entry, ce.Entry, "%v", err)
	require.Contains(t, ce.Reason, reason)
	require.Contains(t, err.Error(), path)
}

func TestLastNonZero(t *testing.T) {
	for _, tt := range []struct{ size, nonZeroAt int }{
		{0, -1},
		{8, -1},
		{8, 0},
		{8, 7},
		{4096, 4095},
		{4097, 4096},
		{4097, 0},
		{1 << 20, -1},
		{1 << 20, 5},
		{1 << 20, 1<<20 - 1},
		{1 << 20, 1<<19 + 3},
	} {
		b := make([]byte, tt.size)
		if tt.nonZeroAt >= 0 {
			b[tt.nonZeroAt] = 0x80
		}
		require.Equal(t, tt.nonZeroAt, lastNonZero(b), "%+v", tt)
	}
}

// TestLoadLargeFiles covers files larger than one read: entries in more
// than one chunk, zero tails longer than one chunk, damage far from the
// start.
func TestLoadLargeFiles(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		const n = 300_000 // 2.4 MB of offset entries
		es := offsetSeq(testBase, n)
		data := make([]byte, n*OffsetEntrySize)
		putOffsetEntries(data, es, testBase)
		for _, tt := range []struct {
			name string
			data []byte
			want int
			bad  int
		}{
			{"sealed", data, n, -1},
			{"with a long zero tail", cat(data, zeroBytes(3<<20)), n, -1},
			{"few entries, long zero tail", cat(data[:80], zeroBytes(5<<20)), 10, -1},
			{"damage in the middle", cat(data[:200_000*8], offsetBytes([2]int32{5, 5}), data[200_001*8:]), 0, 200_000},
			{"damage after a long zero run", cat(data[:80], zeroBytes(3<<20), offsetBytes([2]int32{1 << 30, 1 << 30})), 0, 10},
		} {
			t.Run(tt.name, func(t *testing.T) {
				writeFile(t, fsys, offsetPath(dir), tt.data)
				x, err := OpenOffsetIndex(fsys, offsetPath(dir), testBase, 10<<20, false)
				if tt.bad >= 0 {
					requireCorrupt(t, err, offsetPath(dir), tt.bad, "")
					return
				}
				require.NoError(t, err)
				require.Equal(t, es[:tt.want], offsetEntries(x))
			})
		}
	})
}
