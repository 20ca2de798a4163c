package segment

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// sealedSegment writes n records in batches of 10 to a new segment, seals
// it and lets it go.
func sealedSegment(t *testing.T, fsys vfs.FS, dir string, n int) {
	t.Helper()
	s, err := Create(fsys, dir, 0, Options{IndexIntervalBytes: 700})
	require.NoError(t, err)
	fill(t, s, n)
	require.NoError(t, s.Seal())
	require.NoError(t, s.Release())
}

// requireLocatesAll checks that every offset below end is found in the
// batch of ten that holds it.
func requireLocatesAll(t *testing.T, s *Segment, end int64) {
	t.Helper()
	for off := int64(0); off < end; off++ {
		pos, found, err := s.Locate(off, s.Size(), make([]byte, locateBufSize))
		require.NoError(t, err)
		require.True(t, found, "offset %d", off)
		require.Equal(t, off/10*10, pos.BaseOffset, "offset %d", off)
	}
}

// reopenWithIndex replaces the offset index file of the segment at base 0
// with data and opens the segment, released when the test ends.
func reopenWithIndex(t *testing.T, fsys vfs.FS, dir string, data []byte) *Segment {
	t.Helper()
	f, err := fsys.Create(Path(dir, 0, IndexExt))
	require.NoError(t, err)
	_, err = f.WriteAt(data, 0)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	s, err := Open(fsys, dir, 0, Options{IndexIntervalBytes: 700})
	require.NoError(t, err)
	t.Cleanup(func() { s.Release() })
	return s
}

func readFile(t *testing.T, fsys vfs.FS, path string) []byte {
	t.Helper()
	data, err := vfs.ReadFile(fsys, path, 1<<30)
	require.NoError(t, err)
	return data
}

// TestActivateLeavesSealedIndexesUnread activates a segment whose index
// files a seal left: only their last entries are read, the first read
// loads them read-only, the first append loads them for writing, and
// every offset is found before and after.
func TestActivateLeavesSealedIndexesUnread(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		sealedSegment(t, fsys, dir, 200)
		s, err := Open(fsys, dir, 0, Options{IndexIntervalBytes: 700})
		require.NoError(t, err)
		defer s.Release()
		require.NoError(t, s.Activate())
		require.Nil(t, s.offsetIdx.Load(), "not loaded by Activate")
		require.Nil(t, s.timeIdx.Load())
		require.Equal(t, int64(200), s.NextOffset())
		ts, err := s.MaxTimestamp()
		require.NoError(t, err)
		require.Equal(t, int64(199_000), ts)

		requireLocatesAll(t, s, 200)
		require.NotNil(t, s.offsetIdx.Load(), "loaded by the first read")
		require.False(t, s.indexesWritable.Load())
		entries := s.offsetIdx.Load().Len()
		require.Greater(t, entries, 10)

		for off := int64(200); off < 300; off += 10 {
			require.NoError(t, s.Append(batchAt(t, off, 10, 100)))
		}
		require.True(t, s.indexesWritable.Load(), "loaded for writing by the first append")
		require.Greater(t, s.offsetIdx.Load().Len(), entries, "appends add entries after the loaded ones")
		requireLocatesAll(t, s, 300)
		require.NoError(t, s.Seal())
		require.NoError(t, s.Release())

		s, err = Open(fsys, dir, 0, Options{IndexIntervalBytes: 700})
		require.NoError(t, err)
		defer s.Release()
		requireLocatesAll(t, s, 300)
		ts, err = s.MaxTimestamp()
		require.NoError(t, err)
		require.Equal(t, int64(299_000), ts)
	})
}

// TestSealAfterActivateWithoutWritesChangesNothing activates a segment
// from sealed index files and seals it again without an append: the files
// are left byte for byte as they were.
func TestSealAfterActivateWithoutWritesChangesNothing(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		sealedSegment(t, fsys, dir, 200)
		offsets, times := readFile(t, fsys, Path(dir, 0, IndexExt)), readFile(t, fsys, Path(dir, 0, TimeIndexExt))
		s, err := Open(fsys, dir, 0, Options{IndexIntervalBytes: 700})
		require.NoError(t, err)
		require.NoError(t, s.Activate())
		requireLocatesAll(t, s, 200) // a read loads them read-only
		require.NoError(t, s.Seal())
		require.NoError(t, s.Release())
		require.Equal(t, offsets, readFile(t, fsys, Path(dir, 0, IndexExt)))
		require.Equal(t, times, readFile(t, fsys, Path(dir, 0, TimeIndexExt)))
	})
}

// TestActivateWithIndexDamagedInTheMiddle damages an entry in the middle
// of a sealed offset index, leaving its last entry as it was: Activate,
// which reads only that, succeeds; the first append loads the file, finds
// the damage, rebuilds the index from the log, and appends after it.
func TestActivateWithIndexDamagedInTheMiddle(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		sealedSegment(t, fsys, dir, 200)
		path := Path(dir, 0, IndexExt)
		data := readFile(t, fsys, path)
		require.Greater(t, len(data), 4*8)
		binary.BigEndian.PutUint32(data[2*8:], 1<<30) // entry 2's relative offset: out of order
		s := reopenWithIndex(t, fsys, dir, data)
		require.NoError(t, s.Activate())
		require.Equal(t, int64(200), s.NextOffset())
		require.NoError(t, s.Append(batchAt(t, 200, 10, 100)))
		require.Equal(t, int64(210), s.NextOffset())
		requireLocatesAll(t, s, 210)
	})
}

// TestActivateOfPreallocatedIndexLoadsIt activates a segment whose offset
// index ends in zeros, as a preallocated file does: it is not as a seal
// leaves it, so Activate loads and checks it whole.
func TestActivateOfPreallocatedIndexLoadsIt(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		sealedSegment(t, fsys, dir, 200)
		data := append(readFile(t, fsys, Path(dir, 0, IndexExt)), make([]byte, 64)...)
		s := reopenWithIndex(t, fsys, dir, data)
		require.NoError(t, s.Activate())
		require.NotNil(t, s.offsetIdx.Load(), "loaded whole")
		require.True(t, s.indexesWritable.Load())
		require.Equal(t, int64(200), s.NextOffset())
		requireLocatesAll(t, s, 200)
	})
}
