package log

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// crashedLog writes n records in batches of per into a new log on the OS
// filesystem, with segments of segBytes, and abandons it as a crash would.
func crashedLog(t *testing.T, n, per, segBytes int64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p-0")
	l, err := Open(dir, Options{SegmentBytes: segBytes})
	require.NoError(t, err)
	appendN(t, l, 0, n, per)
	l.abandon()
	return dir
}

// lastLogFile returns the path of the newest segment's log file.
func segmentFiles(t *testing.T, dir, ext string) []string {
	t.Helper()
	var out []string
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if _, x, ok := segment.ParseFileName(e.Name()); ok && x == ext {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// batchEnds returns the byte positions where the batches of a log file end.
func batchEnds(t *testing.T, path string) []int64 {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var ends []int64
	s := record.NewScanner(data, record.CheckAll)
	for s.Next() {
		ends = append(ends, int64(s.Valid()))
	}
	require.NoError(t, s.Err())
	return ends
}

func TestRecoveryCutsDamagedTail(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, path string, ends []int64)
	}{
		{"cut mid-batch", func(t *testing.T, path string, ends []int64) {
			require.NoError(t, os.Truncate(path, ends[len(ends)-1]-7))
		}},
		{"garbage over the last batch", func(t *testing.T, path string, ends []int64) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			require.NoError(t, err)
			defer f.Close()
			_, err = f.WriteAt(junk(40, 1), ends[len(ends)-1]-40)
			require.NoError(t, err)
		}},
		{"zero-filled tail", func(t *testing.T, path string, ends []int64) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			require.NoError(t, err)
			defer f.Close()
			_, err = f.WriteAt(make([]byte, 4096), ends[len(ends)-1])
			require.NoError(t, err)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := crashedLog(t, 100, 10, 1<<20)
			path := segmentFiles(t, dir, segment.LogExt)[0]
			ends := batchEnds(t, path)
			require.Len(t, ends, 10)
			c.damage(t, path, ends)

			l := mustOpen(t, dir, Options{})
			want := int64(100)
			if c.name != "zero-filled tail" {
				want = 90 // the last batch is gone, whole
			}
			require.Equal(t, want, l.LogEndOffset())
			require.Equal(t, values(0, want), readAll(t, l, 0))
			info, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, ends[want/10-1], info.Size(), "the file is cut after the last good batch")
			appendN(t, l, want, 10, 10)
			require.Equal(t, values(0, want+10), readAll(t, l, 0))
		})
	}
}

func TestRecoveryDropsSegmentsAfterDamage(t *testing.T) {
	dir := crashedLog(t, 400, 10, 2000)
	// Without a recovery point every segment is read.
	require.NoError(t, os.Remove(filepath.Join(dir, recoveryPointFile)))
	logs := segmentFiles(t, dir, segment.LogExt)
	require.Greater(t, len(logs), 4)
	// Damage the first batch of the third segment.
	victim := logs[2]
	base, _, _ := segment.ParseFileName(filepath.Base(victim))
	f, err := os.OpenFile(victim, os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{0xde, 0xad}, 30)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	l := mustOpen(t, dir, Options{SegmentBytes: 2000})
	require.Equal(t, base, l.LogEndOffset())
	require.Equal(t, values(0, base), readAll(t, l, 0))
	require.Len(t, segmentFiles(t, dir, segment.LogExt), 3, "the damaged segment is kept, emptied; later ones are deleted")
}

func TestIndexesRebuilt(t *testing.T) {
	for _, damage := range []string{"deleted", "garbage", "truncated"} {
		t.Run(damage, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "p-0")
			opts := Options{SegmentBytes: 4000, IndexIntervalBytes: 100}
			l, err := Open(dir, opts)
			require.NoError(t, err)
			appendN(t, l, 0, 600, 6)
			require.NoError(t, l.Close())

			for _, ext := range []string{segment.IndexExt, segment.TimeIndexExt} {
				for _, p := range segmentFiles(t, dir, ext) {
					switch damage {
					case "deleted":
						require.NoError(t, os.Remove(p))
					case "garbage":
						require.NoError(t, os.WriteFile(p, junk(240, 3), 0o644))
					case "truncated":
						require.NoError(t, os.Truncate(p, 5))
					}
				}
			}
			l = mustOpen(t, dir, opts)
			require.Equal(t, int64(600), l.LogEndOffset())
			for _, off := range []int64{0, 1, 59, 60, 333, 599} {
				require.Equal(t, values(off, 600-off), readAll(t, l, off))
			}
			listed, found, err := l.ListOffset(1_700_000_000_000 + 4321)
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, int64(433), listed.Offset)
		})
	}
}

func TestUncleanAndCleanReopenAgree(t *testing.T) {
	dir := crashedLog(t, 777, 13, 3000)
	l, err := Open(dir, Options{SegmentBytes: 3000})
	require.NoError(t, err)
	uncleanEnd, uncleanSegs := l.LogEndOffset(), l.NumSegments()
	unclean := readAll(t, l, 0)
	require.NoError(t, l.Close())

	l = mustOpen(t, dir, Options{SegmentBytes: 3000})
	require.Equal(t, uncleanEnd, l.LogEndOffset())
	require.Equal(t, int64(777), l.LogEndOffset())
	require.Equal(t, uncleanSegs, l.NumSegments())
	require.Equal(t, unclean, readAll(t, l, 0))
}

// TestCrashClonesKeepAcknowledged runs appends with FlushAlways on the
// in-memory filesystem and takes a crash clone after each: every record an
// append acknowledged must be in the reopened clone, and nothing else.
func TestCrashClonesKeepAcknowledged(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	require.NoError(t, m.SyncDir("/"))
	opts := Options{FS: m, Flush: FlushAlways, SegmentBytes: 1500, MaxIndexBytes: 4096}
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	defer l.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	acked := int64(0)
	for round := range 40 {
		n := 1 + rng.Int64N(8)
		appendN(t, l, acked, n, n)
		acked += n
		for _, torn := range []bool{false, true} {
			copts := vfs.CrashOptions{}
			if torn {
				copts.Rand = rand.New(rand.NewPCG(uint64(round), 7))
			}
			clone := m.CrashClone(copts)
			cl, err := Open("/d/p", Options{FS: clone, SegmentBytes: 1500, MaxIndexBytes: 4096})
			require.NoError(t, err, "round %d torn %v", round, torn)
			require.Equal(t, acked, cl.LogEndOffset(), "round %d torn %v: fsynced appends survive", round, torn)
			require.Equal(t, values(0, acked), readAll(t, cl, 0))
			require.NoError(t, cl.Close())
		}
	}
}

// TestCrashCloneWithoutFlushLosesOnlyTheUnsynced checks the other side:
// under FlushNever a crash may lose recent appends, but what survives is a
// prefix of what was written and the log opens.
func TestCrashCloneWithoutFlushLosesOnlyTheUnsynced(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	require.NoError(t, m.SyncDir("/"))
	l, err := Open("/d/p", Options{FS: m, SegmentBytes: 1200, MaxIndexBytes: 4096})
	require.NoError(t, err)
	defer l.Close()
	appendN(t, l, 0, 100, 5)
	require.NoError(t, l.Sync(t.Context()))
	appendN(t, l, 100, 100, 5)
	for seed := range uint64(20) {
		clone := m.CrashClone(vfs.CrashOptions{Rand: rand.New(rand.NewPCG(seed, 8))})
		cl, err := Open("/d/p", Options{FS: clone, SegmentBytes: 1200, MaxIndexBytes: 4096})
		require.NoError(t, err)
		end := cl.LogEndOffset()
		require.GreaterOrEqual(t, end, int64(100), "synced records survive")
		require.LessOrEqual(t, end, int64(200))
		require.Equal(t, values(0, end), readAll(t, cl, 0))
		require.NoError(t, cl.Close())
	}
}

// junk returns n pseudo-random bytes.
func junk(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(rng.Uint32())
	}
	return out
}

// TestRecoveryStartsAtTheRecoveryPoint checks that an unclean Open reads
// only the segments from the checkpointed recovery point on: damage below
// it is not found at Open (those segments were durable and are trusted),
// though a read of it still fails its CRC, while damage above it is cut.
// An unreadable checkpoint is treated as absent: everything is read.
func TestRecoveryStartsAtTheRecoveryPoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	opts := Options{SegmentBytes: 2000}
	l, err := Open(dir, opts)
	require.NoError(t, err)
	appendN(t, l, 0, 300, 10)
	require.NoError(t, l.Close()) // checkpoints the recovery point at 300
	l, err = Open(dir, opts)
	require.NoError(t, err)
	appendN(t, l, 300, 5, 5)
	l.abandon()

	rp, ok, err := readOffsetCheckpoint(vfs.Default, dir, recoveryPointFile)
	require.NoError(t, err)
	require.True(t, ok)
	require.GreaterOrEqual(t, rp, int64(300))
	// A background flush after a roll may have checkpointed 305 already;
	// make it the crash before that flush.
	require.NoError(t, writeOffsetCheckpoint(vfs.Default, dir, recoveryPointFile, 300))

	logs := segmentFiles(t, dir, segment.LogExt)
	damage := func(path string, at int64) {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		require.NoError(t, err)
		_, err = f.WriteAt([]byte{0xba, 0xd0}, at)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	damage(logs[1], 40) // the first batch of a segment below the recovery point
	last := logs[len(logs)-1]
	ends := batchEnds(t, last)
	damage(last, ends[len(ends)-1]-10) // the last batch, above it

	l, err = Open(dir, opts)
	require.NoError(t, err)
	require.Equal(t, int64(300), l.LogEndOffset(), "the batch above the recovery point was cut")
	base1, _, _ := segment.ParseFileName(filepath.Base(logs[1]))
	r := l.NewReader(base1)
	require.False(t, r.Next())
	require.ErrorIs(t, r.Err(), ErrCorrupt, "trusted, but its damage is found when it is read")
	l.abandon()

	require.NoError(t, os.WriteFile(filepath.Join(dir, recoveryPointFile), []byte("garbage"), 0o644))
	_, ok, err = readOffsetCheckpoint(vfs.Default, dir, recoveryPointFile)
	require.ErrorIs(t, err, ErrBadCheckpoint)
	require.False(t, ok)
	l = mustOpen(t, dir, opts)
	require.Equal(t, base1, l.LogEndOffset(), "without a checkpoint every segment is read, and the damage cuts the log")
}

func TestOffsetCheckpointFile(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	_, ok, err := readOffsetCheckpoint(m, "/d", "cp")
	require.NoError(t, err)
	require.False(t, ok, "missing")
	require.NoError(t, writeOffsetCheckpoint(m, "/d", "cp", 12345))
	off, ok, err := readOffsetCheckpoint(m, "/d", "cp")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int64(12345), off)
	for _, bad := range []string{"", "0\n", "1\n5\n", "0\n-5\n", "0\n05\n", "0\n5", "0\n5\nx", "0\n99999999999999999999\n"} {
		f, err := m.Create("/d/cp")
		require.NoError(t, err)
		_, err = f.WriteAt([]byte(bad), 0)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		_, ok, err := readOffsetCheckpoint(m, "/d", "cp")
		require.ErrorIs(t, err, ErrBadCheckpoint, "%q", bad)
		require.False(t, ok)
	}
}

func TestOpenRemovesLeftovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	l, err := Open(dir, Options{})
	require.NoError(t, err)
	appendN(t, l, 0, 10, 10)
	require.NoError(t, l.Close())
	leftovers := []string{"00000000000000000000.log.deleted", "00000000000000000099.index", "recovery-point-offset-checkpoint.tmp"}
	for _, name := range leftovers {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644))
	}
	l = mustOpen(t, dir, Options{})
	require.Equal(t, values(0, 10), readAll(t, l, 0))
	for _, name := range leftovers {
		_, err := os.Stat(filepath.Join(dir, name))
		require.ErrorIs(t, err, os.ErrNotExist, name)
	}
}

// TestOpenLeavesStrayDirectoriesAlone puts directories with names Open
// would remove as leftovers (a temporary file's, a deleted segment's) in
// a log's directory, with files in them: Open neither fails nor touches
// them, since they are not the log's.
func TestOpenLeavesStrayDirectoriesAlone(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l, err := Open(dir, Options{FS: fsys})
		require.NoError(t, err)
		appendN(t, l, 0, 10, 10)
		require.NoError(t, l.Close())
		for _, name := range []string{"foo.tmp", "00000000000000000000.log.deleted"} {
			require.NoError(t, fsys.MkdirAll(filepath.Join(dir, name), 0o755))
			writeMemFile(t, fsys, filepath.Join(dir, name, "inside"), []byte("x"))
		}
		l, err = Open(dir, Options{FS: fsys})
		require.NoError(t, err)
		require.Equal(t, values(0, 10), readAll(t, l, 0))
		require.NoError(t, l.Close())
		for _, name := range []string{"foo.tmp", "00000000000000000000.log.deleted"} {
			info, err := fsys.Stat(filepath.Join(dir, name, "inside"))
			require.NoError(t, err, name)
			require.False(t, info.IsDir())
		}
	})
}

// TestDamagedBaseOffsetAfterCleanShutdown damages the base offset of a
// batch in the middle of a cleanly closed log, a field no CRC covers. The
// log is trusted unread before its last index entry, so the damage is met
// by readers: a read there is ErrCorrupt, not an early, silent end of the
// log, and reads that the index takes past it work.
func TestDamagedBaseOffsetAfterCleanShutdown(t *testing.T) {
	l := cleanLogDamagedAt(t, 10, func(b record.Batch) { b.SetBaseOffset(1 << 22) })
	require.Equal(t, 10, countUntilError(t, l, ErrCorrupt), "the records before the damage")
	require.Equal(t, values(14, 6), readAll(t, l, 14), "after the damage")
}

// TestDamagedLastOffsetDeltaAfterCleanShutdown damages the last offset
// delta of a batch in the middle of a cleanly closed log, so that the
// batch claims offsets far past the log end (its CRC, which would catch
// it, is checked only when the batch is read). A reader reads the records
// before it and then fails with ErrCorrupt, rather than stopping there as
// if the log ended.
func TestDamagedLastOffsetDeltaAfterCleanShutdown(t *testing.T) {
	l := cleanLogDamagedAt(t, 10, func(b record.Batch) {
		const lastOffsetDeltaAt = 23 // after base offset, length, epoch, magic, CRC and attributes
		binary.BigEndian.PutUint32(b[lastOffsetDeltaAt:], 1<<30)
		require.Equal(t, int64(10+1<<30), b.LastOffset())
	})
	require.Equal(t, int64(20), l.LogEndOffset(), "the log end comes from the last batch")
	require.Equal(t, 10, countUntilError(t, l, ErrCorrupt), "the records before the damage")
	var buf bytes.Buffer
	_, err := l.ReadTo(&buf, 10, ReadOptions{})
	require.ErrorIs(t, err, ErrCorrupt, "and so does a read to a writer")
}

// cleanLogDamagedAt writes 20 records in batches of 2 and closes the log
// cleanly, hands the batch at offset to damage, and reopens the log, which
// trusts its files unread.
func cleanLogDamagedAt(t *testing.T, offset int64, damage func(record.Batch)) *Log {
	t.Helper()
	m := vfs.NewMem()
	opts := Options{FS: m, MaxIndexBytes: 4096, IndexIntervalBytes: 50, RetentionCheckInterval: -1}
	l := mustOpen(t, "/p", opts)
	appendN(t, l, 0, 20, 2)
	require.NoError(t, l.Close())

	name := "/p/00000000000000000000.log"
	data := readMemFile(t, m, name)
	var sc record.Scanner
	sc.Reset(data, record.CheckAll)
	pos := 0
	for sc.Next() && sc.Batch().BaseOffset() < offset {
		pos = sc.Valid()
	}
	damage(record.Batch(data[pos:]))
	writeMemFile(t, m, name, data)
	return mustOpen(t, "/p", opts)
}

// countUntilError reads l from its start and returns how many records it
// read before it failed with an error wrapping want.
func countUntilError(t *testing.T, l *Log, want error) int {
	t.Helper()
	r := l.NewReader(l.LogStartOffset())
	n := 0
	for r.Next() {
		n++
	}
	require.ErrorIs(t, r.Err(), want)
	return n
}

// TestRecoveryDropsSegmentsAfterAHole loses the tail of a middle segment
// at a batch boundary, as a crash can when the next segment's pages were
// written back and this one's were not: nothing needs cutting, but the
// offsets jump at the boundary, and the segments after the hole go, so
// that what survives is a prefix of what was written.
func TestRecoveryDropsSegmentsAfterAHole(t *testing.T) {
	m := vfs.NewMem()
	opts := Options{FS: m, SegmentBytes: 1200, MaxIndexBytes: 4096, RetentionCheckInterval: -1}
	l := mustOpen(t, "/p", opts)
	appendN(t, l, 0, 100, 5)
	require.NoError(t, l.Close())
	require.NoError(t, m.Remove("/p/"+cleanShutdownMarker))
	require.NoError(t, m.Remove("/p/"+recoveryPointFile))

	names, err := m.List("/p")
	require.NoError(t, err)
	var logs []string
	for _, n := range names {
		if filepath.Ext(n) == ".log" {
			logs = append(logs, n)
		}
	}
	slices.Sort(logs)
	require.Greater(t, len(logs), 3)
	middle := "/p/" + logs[1]
	data := readMemFile(t, m, middle)
	var sc record.Scanner
	sc.Reset(data, record.CheckAll)
	require.True(t, sc.Next())
	first := sc.Batch()
	writeMemFile(t, m, middle, data[:len(first)]) // one whole batch kept

	l = mustOpen(t, "/p", opts)
	end := first.NextOffset()
	require.Equal(t, end, l.LogEndOffset())
	require.Equal(t, values(0, end), readAll(t, l, 0))
	require.Equal(t, 2, l.NumSegments())
}
