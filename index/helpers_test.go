package index

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// forEachFS runs f on the host's filesystem, in a temporary directory, and
// on a fresh memory filesystem.
func forEachFS(t *testing.T, f func(t *testing.T, fsys vfs.FS, dir string)) {
	t.Run("os", func(t *testing.T) { f(t, vfs.Default, t.TempDir()) })
	t.Run("mem", func(t *testing.T) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/idx", 0o755))
		require.NoError(t, m.SyncDir("/"))
		f(t, m, "/idx")
	})
}

const testBase = 100

func offsetPath(dir string) string { return filepath.Join(dir, "00000000000000000100.index") }
func timePath(dir string) string   { return filepath.Join(dir, "00000000000000000100.timeindex") }

// writeFile replaces the file at path with data.
func writeFile(t testing.TB, fsys vfs.FS, path string, data []byte) {
	t.Helper()
	f, err := fsys.Create(path)
	require.NoError(t, err)
	if len(data) > 0 {
		_, err = f.WriteAt(data, 0)
		require.NoError(t, err)
	}
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}

// fileSize returns the size of the file at path.
func fileSize(t testing.TB, fsys vfs.FS, path string) int64 {
	t.Helper()
	info, err := fsys.Stat(path)
	require.NoError(t, err)
	return info.Size()
}

// offsetBytes encodes raw offset index entries {relative, position}.
func offsetBytes(entries ...[2]int32) []byte {
	b := make([]byte, 0, len(entries)*OffsetEntrySize)
	for _, e := range entries {
		b = be.AppendUint32(b, uint32(e[0]))
		b = be.AppendUint32(b, uint32(e[1]))
	}
	return b
}

// timeBytes encodes one raw time index entry.
func timeBytes(ts int64, rel int32) []byte {
	b := be.AppendUint64(nil, uint64(ts))
	return be.AppendUint32(b, uint32(rel))
}

func openOffset(t testing.TB, fsys vfs.FS, dir string, maxBytes int, writable bool) *OffsetIndex {
	t.Helper()
	x, err := OpenOffsetIndex(fsys, offsetPath(dir), testBase, maxBytes, writable)
	require.NoError(t, err)
	return x
}

func openTime(t testing.TB, fsys vfs.FS, dir string, maxBytes int, writable bool) *TimeIndex {
	t.Helper()
	x, err := OpenTimeIndex(fsys, timePath(dir), testBase, maxBytes, writable)
	require.NoError(t, err)
	return x
}

func offsetEntries(x *OffsetIndex) []OffsetEntry { return slices.Collect(x.All()) }
func timeEntries(x *TimeIndex) []TimeEntry       { return slices.Collect(x.All()) }

// offsetSeq returns n entries as a segment might make them: offsets
// 10 apart from base+9, positions 4100 apart.
func offsetSeq(base int64, n int) []OffsetEntry {
	es := make([]OffsetEntry, n)
	for i := range es {
		es[i] = OffsetEntry{Offset: base + 9 + 10*int64(i), Position: 4100 * int64(i+1)}
	}
	return es
}

// timeSeq returns n entries with timestamps 1000 apart and offsets 10
// apart.
func timeSeq(base int64, n int) []TimeEntry {
	es := make([]TimeEntry, n)
	for i := range es {
		es[i] = TimeEntry{Timestamp: 1_700_000_000_000 + 1000*int64(i), Offset: base + 9 + 10*int64(i)}
	}
	return es
}

func appendOffsets(t testing.TB, x *OffsetIndex, es []OffsetEntry) {
	t.Helper()
	for _, e := range es {
		require.NoError(t, x.Append(e.Offset, e.Position))
	}
}

func appendTimes(t testing.TB, x *TimeIndex, es []TimeEntry) {
	t.Helper()
	for _, e := range es {
		require.NoError(t, x.Append(e.Timestamp, e.Offset, false))
	}
}

// requireEntries compares entry lists, taking nil and empty as equal.
func requireEntries[E any](t testing.TB, want, got []E, msgAndArgs ...any) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	require.Equal(t, want, got, msgAndArgs...)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
