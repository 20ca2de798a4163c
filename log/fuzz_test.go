package log

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// FuzzOffsetCheckpoint reads arbitrary bytes as a recovery-point or
// log-start checkpoint: either the file is refused with ErrBadCheckpoint,
// or it holds one offset whose file, written again, is the same bytes.
func FuzzOffsetCheckpoint(f *testing.F) {
	f.Add([]byte("0\n12345\n"))
	f.Add([]byte("0\n0\n"))
	f.Add([]byte("0\n-1\n"))
	f.Add([]byte("0\n0012\n"))
	f.Add([]byte("1\n9223372036854775807\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/d", 0o755))
		require.NoError(t, vfs.WriteFileAtomic(m, "/d/ckpt", data))
		offset, ok, err := readOffsetCheckpoint(m, "/d", "ckpt")
		if err != nil {
			require.ErrorIs(t, err, ErrBadCheckpoint)
			require.False(t, ok)
			return
		}
		require.True(t, ok)
		require.GreaterOrEqual(t, offset, int64(0))
		require.NoError(t, writeOffsetCheckpoint(m, "/d", "again", offset))
		again, err := vfs.ReadFile(m, "/d/again", 1<<10)
		require.NoError(t, err)
		require.Equal(t, string(data), string(again))
	})
}

// fuzzSegment is the name of the one segment FuzzRecovery writes.
const fuzzSegment = "/d/p/00000000000000000000"

// FuzzRecovery opens a log whose only segment and offset index hold
// arbitrary bytes, with and without the clean-shutdown marker. Open must
// succeed: recovery keeps the valid prefix of the segment, cuts the rest,
// and rebuilds an index it cannot trust. Without the marker the log then
// reads back without error; with it, segments are trusted unread, as after
// a clean shutdown, so damage in the middle is found by the reader and
// reported as ErrCorrupt. Either way the log takes an append at its end
// and reopens to the same records.
func FuzzRecovery(f *testing.F) {
	seedLog, seedIndex := fuzzRecoverySeed(f)
	f.Add(seedLog, seedIndex, false)
	f.Add(seedLog, seedIndex, true)
	f.Add(seedLog[:len(seedLog)-9], seedIndex, true)
	flipped := bytes.Clone(seedLog)
	flipped[len(flipped)/2] ^= 0x40
	f.Add(flipped, seedIndex, false)
	f.Add([]byte{}, []byte{}, true)
	// Batches from the third on moved past the segment's 32-bit reach, as
	// a legacy writer could leave them: recovery splits the segment.
	overflow := bytes.Clone(seedLog)
	var sc record.Scanner
	sc.Reset(overflow, record.CheckAll)
	for i := 0; sc.Next(); i++ {
		if i >= 2 {
			b := sc.Batch()
			b.SetBaseOffset(b.BaseOffset() + 1<<40)
		}
	}
	f.Add(overflow, seedIndex, false)
	f.Add(overflow, seedIndex, true)
	f.Fuzz(func(t *testing.T, segment, index []byte, clean bool) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/d/p", 0o755))
		writeMemFile(t, m, fuzzSegment+".log", segment)
		writeMemFile(t, m, fuzzSegment+".index", index)
		if clean {
			writeMemFile(t, m, filepath.Join("/d/p", cleanShutdownMarker), nil)
		}
		opts := Options{FS: m, MaxIndexBytes: 4096, RetentionCheckInterval: -1, RetentionAge: -1}
		l, err := Open("/d/p", opts)
		require.NoError(t, err, "recovery refuses a log it should cut")
		before, readErr := fuzzRecords(t, l)
		if readErr != nil {
			require.True(t, clean, "a recovered log does not read back: %v", readErr)
			require.ErrorIs(t, readErr, ErrCorrupt)
		}
		end := l.LogEndOffset()
		if len(before) > 0 {
			require.Less(t, before[len(before)-1].offset, end)
		}
		// Recovery only cuts, and splits a segment whose offsets overflow
		// its relative offsets: what it kept, the segments' files end to
		// end, is a prefix of the bytes it was given.
		kept := segmentBytes(t, m, "/d/p")
		require.True(t, bytes.HasPrefix(segment, kept), "kept %d bytes that are not a prefix of the %d given", len(kept), len(segment))
		info, err := l.AppendRecords(rec(0))
		require.NoError(t, err)
		require.Equal(t, end, info.FirstOffset)
		require.NoError(t, l.Close())

		l, err = Open("/d/p", opts)
		require.NoError(t, err)
		after, err := fuzzRecords(t, l)
		require.Equal(t, end+1, l.LogEndOffset())
		if readErr != nil {
			require.Equal(t, readErr.Error(), err.Error())
			require.Equal(t, before, after)
		} else {
			require.NoError(t, err)
			require.Equal(t, append(before, fuzzRecord{end, string(rec(0).Value)}), after)
		}
		require.NoError(t, l.Close())
	})
}

// fuzzRecoverySeed returns the segment and index bytes of a small valid
// log.
func fuzzRecoverySeed(f *testing.F) (segment, index []byte) {
	m := vfs.NewMem()
	l, err := Open("/d/p", Options{FS: m, MaxIndexBytes: 4096, IndexIntervalBytes: 100})
	require.NoError(f, err)
	for i := range int64(12) {
		_, err := l.AppendRecords(rec(2*i), rec(2*i+1))
		require.NoError(f, err)
	}
	require.NoError(f, l.Close())
	return readMemFile(f, m, fuzzSegment+".log"), readMemFile(f, m, fuzzSegment+".index")
}

type fuzzRecord struct {
	offset int64
	value  string
}

// fuzzRecords reads every record of l until the end or an error,
// requiring increasing offsets.
func fuzzRecords(t *testing.T, l *Log) ([]fuzzRecord, error) {
	t.Helper()
	var out []fuzzRecord
	r := l.NewReader(l.LogStartOffset())
	for r.Next() {
		rr := r.Record()
		if len(out) > 0 {
			require.Greater(t, rr.Offset, out[len(out)-1].offset)
		}
		out = append(out, fuzzRecord{rr.Offset, string(rr.Value)})
	}
	return out, r.Err()
}

// segmentBytes returns the log files of the segments in dir, in order of
// their base offsets, end to end.
func segmentBytes(t testing.TB, fsys vfs.FS, dir string) []byte {
	t.Helper()
	names, err := fsys.List(dir)
	require.NoError(t, err)
	var out []byte
	for _, name := range names { // sorted: by base offset
		if _, ext, ok := segment.ParseFileName(name); ok && ext == segment.LogExt {
			out = append(out, readMemFile(t, fsys, filepath.Join(dir, name))...)
		}
	}
	return out
}

func writeMemFile(t testing.TB, fsys vfs.FS, name string, data []byte) {
	t.Helper()
	file, err := fsys.Create(name)
	require.NoError(t, err)
	_, err = file.WriteAt(data, 0)
	require.NoError(t, err)
	require.NoError(t, file.Sync())
	require.NoError(t, file.Close())
}

func readMemFile(t testing.TB, fsys vfs.FS, name string) []byte {
	t.Helper()
	data, err := vfs.ReadFile(fsys, name, 1<<30)
	require.NoError(t, err)
	return data
}
