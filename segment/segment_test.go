package segment

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// batchAt builds a batch of n records with offsets from base, each record's
// timestamp 1000 times its offset and its value naming its offset.
func batchAt(t testing.TB, base int64, n int, valueSize int) []byte {
	t.Helper()
	b := record.NewBuilder()
	b.SetBaseOffset(base)
	for i := range n {
		off := base + int64(i)
		v := make([]byte, valueSize)
		copy(v, fmt.Sprintf("value-%d", off))
		b.Append(record.Record{Timestamp: off * 1000, Value: v})
	}
	batch, err := b.Build()
	require.NoError(t, err)
	return append([]byte(nil), batch...)
}

func createSegment(t *testing.T, fsys vfs.FS, dir string, base int64, opts Options) *Segment {
	t.Helper()
	s, err := Create(fsys, dir, base, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Release() })
	return s
}

func forEachFS(t *testing.T, fn func(t *testing.T, fsys vfs.FS, dir string)) {
	t.Run("os", func(t *testing.T) { fn(t, vfs.Default, t.TempDir()) })
	t.Run("mem", func(t *testing.T) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/seg", 0o755))
		fn(t, m, "/seg")
	})
}

// fill appends batches of 10 records of 100-byte values from base until
// the segment holds n records, and returns the batches' positions.
func fill(t *testing.T, s *Segment, n int) []int64 {
	var positions []int64
	for off := s.BaseOffset(); off < s.BaseOffset()+int64(n); off += 10 {
		positions = append(positions, s.Size())
		require.NoError(t, s.Append(batchAt(t, off, 10, 100)))
	}
	return positions
}

func TestAppendLocate(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		s := createSegment(t, fsys, dir, 100, Options{IndexIntervalBytes: 1000})
		positions := fill(t, s, 500)
		require.Equal(t, int64(600), s.NextOffset())
		oi, err := s.offsetIndex()
		require.NoError(t, err)
		require.Greater(t, oi.Len(), 10, "an entry about every 1000 bytes")

		buf := make([]byte, locateBufSize)
		for off := int64(100); off < 600; off += 7 {
			pos, found, err := s.Locate(off, s.Size(), buf)
			require.NoError(t, err)
			require.True(t, found)
			i := (off - 100) / 10
			require.Equal(t, positions[i], pos.Position, "offset %d", off)
			require.Equal(t, 100+i*10, pos.BaseOffset)
			require.Equal(t, 100+i*10+9, pos.LastOffset)
		}
		_, found, err := s.Locate(600, s.Size(), buf)
		require.NoError(t, err)
		require.False(t, found)
		_, found, err = s.Locate(300, positions[20], buf)
		require.NoError(t, err)
		require.False(t, found, "nothing past the limit")

		err = s.Append(batchAt(t, 590, 1, 1))
		require.ErrorIs(t, err, ErrOutOfOrder)
	})
}

// TestLocateAcrossChunks walks headers over batches of every size: many
// small ones per chunk, ones that run past the chunk they start in, and
// ones larger than the whole buffer, with index entries far apart.
func TestLocateAcrossChunks(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		s := createSegment(t, fsys, dir, 0, Options{IndexIntervalBytes: 200 << 10})
		type placed struct{ pos, base, last int64 }
		var all []placed
		off := int64(0)
		for i := range 60 {
			n, size := 1, 1
			switch i % 4 {
			case 1:
				n, size = 3, 900 // runs past a 512-byte first chunk
			case 3:
				n, size = 2, 3*locateBufSize/2 // larger than the buffer
			}
			all = append(all, placed{s.Size(), off, off + int64(n) - 1})
			require.NoError(t, s.Append(batchAt(t, off, n, size)))
			off += int64(n)
		}
		buf := make([]byte, locateBufSize)
		for _, p := range all {
			for o := p.base; o <= p.last; o++ {
				pos, found, err := s.Locate(o, s.Size(), buf)
				require.NoError(t, err)
				require.True(t, found, "offset %d", o)
				require.Equal(t, p.pos, pos.Position, "offset %d", o)
				require.Equal(t, p.base, pos.BaseOffset)
				require.Equal(t, p.last, pos.LastOffset)
			}
		}
		var walked []placed
		require.NoError(t, s.Batches(0, s.Size(), buf, func(b BatchPosition) bool {
			walked = append(walked, placed{b.Position, b.BaseOffset, b.LastOffset})
			return true
		}))
		require.Equal(t, all, walked)

		// A limit inside the last batch: its header says it runs past.
		last := all[len(all)-1]
		_, _, err := s.Locate(last.base, s.Size()-1, buf)
		require.ErrorIs(t, err, record.ErrTruncated)
	})
}

func TestSealReopenActivate(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		s, err := Create(fsys, dir, 0, Options{IndexIntervalBytes: 700})
		require.NoError(t, err)
		fill(t, s, 200)
		size := s.Size()
		require.NoError(t, s.Seal())
		require.NoError(t, s.Release())

		info, err := fsys.Stat(Path(dir, 0, IndexExt))
		require.NoError(t, err)
		require.Less(t, info.Size(), int64(DefaultMaxIndexBytes), "a sealed index is trimmed")

		s, err = Open(fsys, dir, 0, Options{IndexIntervalBytes: 700})
		require.NoError(t, err)
		defer s.Release()
		require.Equal(t, size, s.Size())
		ts, err := s.MaxTimestamp()
		require.NoError(t, err)
		require.Equal(t, int64(199000), ts, "from the time index's final entry")
		require.NoError(t, s.Activate())
		require.Equal(t, int64(200), s.NextOffset())
		fill2 := batchAt(t, 200, 10, 100)
		require.NoError(t, s.Append(fill2))
		require.Equal(t, int64(210), s.NextOffset())
	})
}

// TestActivateChecksTheLastIndexEntry opens a segment whose offset index
// is well formed but does not match the log file: its last entry points
// at the end of the file, or at a batch with other offsets. Activate
// refuses it as corrupt, so that the log recovers the segment instead of
// taking the next offset from a wrong entry.
func TestActivateChecksTheLastIndexEntry(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		s, err := Create(fsys, dir, 0, Options{IndexIntervalBytes: 700})
		require.NoError(t, err)
		positions := fill(t, s, 100)
		size := s.Size()
		require.NoError(t, s.Seal())
		require.NoError(t, s.Release())

		for name, entry := range map[string][2]uint32{
			"past the last batch":   {5000, uint32(size)},
			"another batch's place": {5000, uint32(positions[3])},
		} {
			t.Run(name, func(t *testing.T) {
				var b [8]byte
				binary.BigEndian.PutUint32(b[:4], entry[0])
				binary.BigEndian.PutUint32(b[4:], entry[1])
				f, err := fsys.Create(Path(dir, 0, IndexExt))
				require.NoError(t, err)
				_, err = f.WriteAt(b[:], 0)
				require.NoError(t, err)
				require.NoError(t, f.Close())

				s, err := Open(fsys, dir, 0, Options{IndexIntervalBytes: 700})
				require.NoError(t, err)
				defer s.Release()
				require.ErrorIs(t, s.Activate(), record.ErrCorrupt)
			})
		}
	})
}

func TestRecoverCutsAndRebuilds(t *testing.T) {
	dir := t.TempDir()
	s, err := Create(vfs.Default, dir, 50, Options{})
	require.NoError(t, err)
	positions := fill(t, s, 100)
	end := s.Size()
	require.NoError(t, s.Release())

	// A torn last batch and junk after it.
	f, err := os.OpenFile(filepath.Join(dir, FileName(50, LogExt)), os.O_RDWR, 0)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(end-20))
	require.NoError(t, f.Close())
	require.NoError(t, os.Remove(filepath.Join(dir, FileName(50, IndexExt))))

	s, err = Open(vfs.Default, dir, 50, Options{})
	require.NoError(t, err)
	defer s.Release()
	cut, err := s.Recover()
	require.NoError(t, err)
	require.Equal(t, end-20-positions[9], cut)
	require.Equal(t, positions[9], s.Size())
	require.Equal(t, int64(140), s.NextOffset())
	require.NoError(t, s.Append(batchAt(t, 140, 10, 100)))
}

func TestRecoverChecksOffsets(t *testing.T) {
	dir := t.TempDir()
	s, err := Create(vfs.Default, dir, 0, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Append(batchAt(t, 0, 10, 10)))
	good := s.Size()
	// A batch whose offsets go backwards, written behind the segment's
	// back: recovery must cut it even though its CRC is fine.
	_, err = s.file.WriteAt(batchAt(t, 5, 3, 10), good)
	require.NoError(t, err)
	require.NoError(t, s.Release())

	s, err = Open(vfs.Default, dir, 0, Options{})
	require.NoError(t, err)
	defer s.Release()
	cut, err := s.Recover()
	require.NoError(t, err)
	require.Positive(t, cut)
	require.Equal(t, good, s.Size())
	require.Equal(t, int64(10), s.NextOffset())
}

func TestRecoverLargeBatch(t *testing.T) {
	// A batch larger than the recovery buffer is checked in pieces.
	dir := t.TempDir()
	s, err := Create(vfs.Default, dir, 0, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Append(batchAt(t, 0, 3, 10)))
	b := record.NewBuilder()
	b.SetBaseOffset(3)
	b.SetCodec(compress.None)
	b.Append(record.Record{Value: make([]byte, recoverBufSize+recoverBufSize/2)})
	big, err := b.Build()
	require.NoError(t, err)
	require.NoError(t, s.Append(append([]byte(nil), big...)))
	size := s.Size()
	require.NoError(t, s.Release())

	s, err = Open(vfs.Default, dir, 0, Options{})
	require.NoError(t, err)
	cut, err := s.Recover()
	require.NoError(t, err)
	require.Zero(t, cut)
	require.Equal(t, int64(4), s.NextOffset())
	require.NoError(t, s.Release())

	// Flip a byte deep inside it: the CRC check in pieces catches it.
	f, err := os.OpenFile(filepath.Join(dir, FileName(0, LogExt)), os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{1}, size-1000)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	s, err = Open(vfs.Default, dir, 0, Options{})
	require.NoError(t, err)
	defer s.Release()
	cut, err = s.Recover()
	require.NoError(t, err)
	require.Equal(t, size-s.Size(), cut)
	require.Equal(t, int64(3), s.NextOffset())
}

func TestTruncateTo(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		s := createSegment(t, fsys, dir, 0, Options{IndexIntervalBytes: 500})
		positions := fill(t, s, 200)
		require.NoError(t, s.TruncateTo(95)) // inside the batch [90, 99]
		require.Equal(t, int64(90), s.NextOffset(), "truncation is by whole batches")
		require.Equal(t, positions[9], s.Size())
		_, found, err := s.Locate(90, s.Size(), make([]byte, locateBufSize))
		require.NoError(t, err)
		require.False(t, found)
		require.NoError(t, s.Append(batchAt(t, 90, 10, 100)))
		pos, found, err := s.Locate(95, s.Size(), make([]byte, locateBufSize))
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, positions[9], pos.Position)
	})
}

func TestReleaseDeletesAfterLastReader(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		s, err := Create(fsys, dir, 0, Options{})
		require.NoError(t, err)
		require.NoError(t, s.Append(batchAt(t, 0, 5, 10)))
		require.True(t, s.Retain(), "a reader")
		s.MarkDeleted()
		require.NoError(t, s.Release(), "the owner lets go")
		buf := make([]byte, 10)
		_, err = s.ReadAt(buf, 0)
		require.NoError(t, err, "the reader still reads")
		_, err = fsys.Stat(Path(dir, 0, LogExt))
		require.NoError(t, err, "files stay while read")
		require.NoError(t, s.Release())
		require.False(t, s.Retain(), "no reference can be taken after the last release")
		_, err = fsys.Stat(Path(dir, 0, LogExt))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}

func TestFileNames(t *testing.T) {
	require.Equal(t, "00000000000000000042.log", FileName(42, LogExt))
	base, ext, ok := ParseFileName("00000000000000368769.timeindex")
	require.True(t, ok)
	require.Equal(t, int64(368769), base)
	require.Equal(t, ".timeindex", ext)
	for _, bad := range []string{"", "42.log", "0000000000000000004x.log", "00000000000000000042log", "99999999999999999999.log"} {
		_, _, ok := ParseFileName(bad)
		require.False(t, ok, bad)
	}
}

// TestRecoverWithDamagedIndexAndTornLog recovers a segment whose index file
// and log file were both torn by a crash: the index must be replaced, not
// rebuilt from the torn log first.
func TestRecoverWithDamagedIndexAndTornLog(t *testing.T) {
	dir := t.TempDir()
	s, err := Create(vfs.Default, dir, 0, Options{IndexIntervalBytes: 100})
	require.NoError(t, err)
	positions := fill(t, s, 100)
	end := s.Size()
	require.NoError(t, s.Seal())
	require.NoError(t, s.Release())
	require.NoError(t, os.Truncate(filepath.Join(dir, FileName(0, LogExt)), end-5))
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileName(0, IndexExt)), []byte{0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 1}, 0o644))

	s, err = Open(vfs.Default, dir, 0, Options{IndexIntervalBytes: 100})
	require.NoError(t, err)
	defer s.Release()
	cut, err := s.Recover()
	require.NoError(t, err)
	require.Equal(t, end-5-positions[9], cut)
	require.Equal(t, int64(90), s.NextOffset())
	pos, found, err := s.Locate(55, s.Size(), make([]byte, locateBufSize))
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, positions[5], pos.Position, "the index was rebuilt")
}
