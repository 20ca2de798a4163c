package log

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// dirContents returns every file of dir, by name, with its bytes.
func dirContents(t *testing.T, fsys vfs.FS, dir string) map[string][]byte {
	t.Helper()
	names, err := fsys.List(dir)
	require.NoError(t, err)
	out := make(map[string][]byte, len(names))
	for _, name := range names {
		path := filepath.Join(dir, name)
		info, err := fsys.Stat(path)
		require.NoError(t, err)
		data, err := vfs.ReadFile(fsys, path, 1<<30)
		require.NoError(t, err)
		require.Equal(t, info.Size(), int64(len(data)), "%s: size and contents disagree", name)
		out[name] = data
	}
	return out
}

// noWrites wraps fsys so that every operation that could change a file or
// directory fails, and is reported by the returned function.
func noWrites(fsys vfs.FS) (vfs.FS, func() []vfs.Op) {
	var mu sync.Mutex
	var seen []vfs.Op
	hooked := vfs.Hook(fsys, func(op vfs.Op) error {
		switch op.Kind {
		case vfs.OpOpen, vfs.OpList, vfs.OpStat, vfs.OpRead, vfs.OpFileStat, vfs.OpClose:
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, op)
		return fmt.Errorf("test: %s %s refused", op.Kind, op.Path)
	})
	return hooked, func() []vfs.Op {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// appendFile appends data to the file at path.
func appendFile(t *testing.T, fsys vfs.FS, path string, data []byte) {
	t.Helper()
	f, err := fsys.OpenReadWrite(path)
	require.NoError(t, err)
	info, err := f.Stat()
	require.NoError(t, err)
	_, err = f.WriteAt(data, info.Size())
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestReadOnlyOpenChangesNothing opens logs left in several states
// read-only, through a file system that refuses every change, reads them
// whole, and finds every file as it was, byte for byte; a torn tail is not
// served, and a writable Open afterwards still has it to cut.
func TestReadOnlyOpenChangesNothing(t *testing.T) {
	const n = 300
	cases := []struct {
		name string
		// damage changes the closed log's files and reports whether the
		// log was left as after a crash.
		damage func(t *testing.T, fsys vfs.FS, dir string, segs []SegmentInfo)
		// torn says the damage left bytes a writable Open cuts.
		torn bool
	}{
		{name: "clean shutdown", damage: func(*testing.T, vfs.FS, string, []SegmentInfo) {}},
		{name: "torn tail", torn: true, damage: func(t *testing.T, fsys vfs.FS, dir string, segs []SegmentInfo) {
			require.NoError(t, fsys.Remove(filepath.Join(dir, cleanShutdownMarker)))
			last := segs[len(segs)-1]
			batch := followerBatchOfEpoch(t, n, 5, 0)
			appendFile(t, fsys, segment.Path(dir, last.BaseOffset, segment.LogExt), batch[:len(batch)/2])
		}},
		{name: "damaged indexes and leftovers", torn: true, damage: func(t *testing.T, fsys vfs.FS, dir string, segs []SegmentInfo) {
			require.NoError(t, fsys.Remove(filepath.Join(dir, cleanShutdownMarker)))
			// No recovery point: recovery reads every segment.
			require.NoError(t, fsys.Remove(filepath.Join(dir, recoveryPointFile)))
			require.NoError(t, fsys.Remove(segment.Path(dir, segs[0].BaseOffset, segment.IndexExt)))
			appendFile(t, fsys, segment.Path(dir, segs[1].BaseOffset, segment.TimeIndexExt), []byte{1, 2, 3})
			appendFile(t, fsys, filepath.Join(dir, "leftover.tmp"), []byte("x"))
			last := segs[len(segs)-1]
			appendFile(t, fsys, segment.Path(dir, last.BaseOffset, segment.LogExt), bytes.Repeat([]byte{0xff}, 40))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
				opts := Options{FS: fsys, SegmentBytes: 2 << 10, IndexIntervalBytes: 256}
				w := mustOpen(t, dir, opts)
				appendN(t, w, 0, n, 5)
				segs, err := w.Segments()
				require.NoError(t, err)
				require.Greater(t, len(segs), 3)
				require.NoError(t, w.Close())
				c.damage(t, fsys, dir, segs)
				before := dirContents(t, fsys, dir)

				guarded, refused := noWrites(fsys)
				ro, err := Open(dir, Options{FS: guarded, ReadOnly: true, IndexIntervalBytes: 256})
				require.NoError(t, err)
				require.Equal(t, int64(0), ro.LogStartOffset())
				require.Equal(t, int64(n), ro.LogEndOffset(), "the torn tail is not served")
				require.Equal(t, values(0, n), readAll(t, ro, 0))
				var buf bytes.Buffer
				info, err := ro.ReadTo(&buf, 100, ReadOptions{MaxBytes: 1 << 20})
				require.NoError(t, err)
				require.Equal(t, info.Bytes, buf.Len())
				require.LessOrEqual(t, info.FirstOffset, int64(100))
				got, err := ro.Segments()
				require.NoError(t, err)
				require.Equal(t, segs, got)
				listed, found, err := ro.ListOffset(rec(123).Timestamp)
				require.NoError(t, err)
				require.True(t, found)
				require.Equal(t, int64(123), listed.Offset)
				listed, found, err = ro.ListOffset(MaxTimestamp)
				require.NoError(t, err)
				require.True(t, found)
				require.Equal(t, int64(n-1), listed.Offset)
				listed, found, err = ro.ListOffset(LatestTimestamp)
				require.NoError(t, err)
				require.True(t, found)
				require.Equal(t, int64(n), listed.Offset)
				require.NoError(t, ro.Close())

				require.Empty(t, refused(), "read-only log tried to change the files")
				require.Equal(t, before, dirContents(t, fsys, dir), "files changed")

				// The damage was there to cut: a writable Open does.
				w = mustOpen(t, dir, opts)
				require.Equal(t, int64(n), w.LogEndOffset())
				require.NoError(t, w.Close())
				if c.torn {
					require.NotEqual(t, before, dirContents(t, fsys, dir))
				}
			})
		})
	}
}

// TestReadOnlyRefusesChanges checks that every call that would change a
// read-only log fails with ErrReadOnly and changes nothing, and that
// reads and Reconfigure still work.
func TestReadOnlyRefusesChanges(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		w := mustOpen(t, dir, Options{FS: fsys, SegmentBytes: 2 << 10})
		appendN(t, w, 0, 100, 5)
		require.NoError(t, w.SetLeaderEpoch(3))
		appendN(t, w, 100, 20, 5)
		w.abandon() // no clean shutdown: the log would have to be recovered
		before := dirContents(t, fsys, dir)

		guarded, refused := noWrites(fsys)
		ro, err := Open(dir, Options{FS: guarded, ReadOnly: true, RetentionAge: time.Millisecond, RetentionCheckInterval: time.Millisecond})
		require.NoError(t, err)
		defer ro.Close()
		batch := followerBatchOfEpoch(t, 120, 2, 3)
		calls := map[string]func() error{
			"Append":                  func() error { _, err := ro.Append(bytes.Clone(batch)); return err },
			"AppendRecords":           func() error { _, err := ro.AppendRecords(rec(1)); return err },
			"AppendFollower":          func() error { _, err := ro.AppendFollower(bytes.Clone(batch)); return err },
			"Roll":                    ro.Roll,
			"TruncateTo":              func() error { return ro.TruncateTo(50) },
			"TruncateToEnd":           func() error { return ro.TruncateTo(120) },
			"TruncateFullyAndStartAt": func() error { return ro.TruncateFullyAndStartAt(500) },
			"DeleteRecordsBefore":     func() error { _, err := ro.DeleteRecordsBefore(50); return err },
			"DeleteRecordsBeforeZero": func() error { _, err := ro.DeleteRecordsBefore(0); return err },
			"EnforceRetention":        func() error { _, err := ro.EnforceRetention(); return err },
			"Sync":                    func() error { return ro.Sync(t.Context()) },
			"SetLeaderEpoch":          func() error { return ro.SetLeaderEpoch(9) },
		}
		for name, call := range calls {
			require.ErrorIs(t, call(), ErrReadOnly, name)
		}
		require.Equal(t, int64(0), ro.LogStartOffset())
		require.Equal(t, int64(120), ro.LogEndOffset())
		require.Equal(t, []EpochEntry{{Epoch: 0, StartOffset: 0}, {Epoch: 3, StartOffset: 100}}, ro.Epochs())
		require.Equal(t, int32(3), ro.LeaderEpoch())
		require.Equal(t, values(0, 120), readAll(t, ro, 0))
		epoch, end := ro.EndOffsetForEpoch(3)
		require.Equal(t, int32(3), epoch)
		require.Equal(t, int64(120), end)
		listed, found, err := ro.ListOffset(rec(77).Timestamp)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, int64(77), listed.Offset)
		require.Equal(t, int32(0), listed.LeaderEpoch, "record 77 came before epoch 3")

		opts := ro.Options()
		require.True(t, opts.ReadOnly)
		require.Equal(t, guarded, opts.FS, "Options returns the file system given to Open")
		opts.Flush = FlushAlways
		require.NoError(t, ro.Reconfigure(opts))
		require.Equal(t, FlushAlways, ro.Options().Flush)

		require.NoError(t, ro.Close())
		require.ErrorIs(t, ro.Sync(t.Context()), ErrClosed)
		require.Empty(t, refused())
		require.Equal(t, before, dirContents(t, fsys, dir))
	})
}

// TestReadOnlyMissingDirectory checks that a read-only Open of a directory
// that does not exist fails, and creates nothing; an empty directory opens
// as an empty log, and stays empty.
func TestReadOnlyMissingDirectory(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		_, err := Open(dir, Options{FS: fsys, ReadOnly: true})
		require.ErrorIs(t, err, fs.ErrNotExist)
		_, err = fsys.Stat(dir)
		require.ErrorIs(t, err, fs.ErrNotExist, "the directory was created")

		require.NoError(t, fsys.MkdirAll(dir, 0o755))
		ro, err := Open(dir, Options{FS: fsys, ReadOnly: true})
		require.NoError(t, err)
		require.Equal(t, int64(0), ro.LogEndOffset())
		require.Empty(t, readAll(t, ro, 0))
		require.NoError(t, ro.Close())
		names, err := fsys.List(dir)
		require.NoError(t, err)
		require.Empty(t, names)
	})
}

// TestReadOnlyRecoveryPoint checks that a read-only log's recovery point
// is what its files show to be durable: the log end after a clean
// shutdown, and the checkpointed recovery point otherwise, not the start
// of the segment holding it, where recovery of a writable log leaves it.
func TestReadOnlyRecoveryPoint(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		w := mustOpen(t, dir, Options{FS: fsys, SegmentBytes: 2 << 10})
		appendN(t, w, 0, 100, 5)
		require.NoError(t, w.Close())

		ro := mustOpen(t, dir, Options{FS: fsys, ReadOnly: true})
		require.Equal(t, int64(100), ro.RecoveryPoint())
		require.NoError(t, ro.Close())

		require.NoError(t, fsys.Remove(filepath.Join(dir, cleanShutdownMarker)))
		require.NoError(t, writeOffsetCheckpoint(fsys, dir, recoveryPointFile, 63))
		ro = mustOpen(t, dir, Options{FS: fsys, ReadOnly: true})
		require.Equal(t, int64(100), ro.LogEndOffset())
		require.Equal(t, int64(63), ro.RecoveryPoint())
		list := ro.segs.Load()
		require.Less(t, list.segs[list.find(63)].BaseOffset(), int64(63), "63 must lie inside a segment")
		require.NoError(t, ro.Close())
	})
}

// TestReadOnlyBesideAWriter opens a log read-only, again and again, while
// a writer holds its lock and appends, rolling segments: every Open
// succeeds, serves whole records up to an end at or below the writer's,
// and keeps that end while the writer goes on.
func TestReadOnlyBesideAWriter(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		const total = 45_000
		w := mustOpen(t, dir, Options{FS: fsys, SegmentBytes: 32 << 10, IndexIntervalBytes: 512, RetentionCheckInterval: -1})
		_, err := Open(dir, Options{FS: fsys})
		require.ErrorIs(t, err, ErrLocked, "the writer holds the lock")

		stop := make(chan struct{})
		writerDone := make(chan struct{})
		var writerErr error
		go func() {
			defer close(writerDone)
			for i := int64(0); i < total; i += 3 {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := w.AppendRecords(rec(i), rec(i+1), rec(i+2)); err != nil {
					writerErr = err
					return
				}
			}
		}()
		finished := func() bool {
			select {
			case <-writerDone:
				return true
			default:
				return false
			}
		}
		defer func() {
			close(stop)
			<-writerDone
			require.NoError(t, writerErr)
		}()

		deadline := time.Now().Add(30 * time.Second)
		for round := 0; round < 25; round++ {
			require.True(t, time.Now().Before(deadline), "timed out")
			ro, err := Open(dir, Options{FS: fsys, ReadOnly: true})
			require.NoError(t, err, "round %d", round)
			end := ro.LogEndOffset()
			// The files may hold an append the writer has not yet
			// published: its end catches up.
			for w.LogEndOffset() < end {
				require.True(t, time.Now().Before(deadline), "read-only end %d past the writer's %d", end, w.LogEndOffset())
				runtime.Gosched()
			}
			from := max(0, end-500)
			require.Equal(t, values(from, end-from), readValues(t, ro, from), "round %d", round)
			_, err = ro.AppendRecords(rec(0))
			require.ErrorIs(t, err, ErrReadOnly)
			// The writer goes on; the read-only log does not follow.
			for w.LogEndOffset() < end+300 && !finished() {
				require.True(t, time.Now().Before(deadline), "writer stalled")
				runtime.Gosched()
			}
			require.Equal(t, end, ro.LogEndOffset())
			require.Equal(t, values(from, end-from), readValues(t, ro, from), "round %d", round)
			require.NoError(t, ro.Close())
		}
		require.Greater(t, w.NumSegments(), 2, "the writer rolled while read")
		ro := mustOpen(t, dir, Options{FS: fsys, ReadOnly: true})
		require.Equal(t, values(0, ro.LogEndOffset()), readAll(t, ro, 0))
	})
}

// TestReadOnlyViewKeepsChangesInMemory checks the view a read-only log
// reads its files through: what it creates, writes, cuts, renames and
// removes is seen through the view and never reaches the files beneath.
func TestReadOnlyViewKeepsChangesInMemory(t *testing.T) {
	base := vfs.NewMem()
	require.NoError(t, base.MkdirAll("/d", 0o755))
	require.NoError(t, vfs.WriteFileAtomic(base, "/d/a", []byte("hello world")))
	require.NoError(t, vfs.WriteFileAtomic(base, "/d/b", []byte("bbb")))
	require.NoError(t, vfs.WriteFileAtomic(base, "/d/z", append([]byte("zz"), make([]byte, 100)...)))
	before := dirContents(t, base, "/d")
	guarded, refused := noWrites(base)
	v := newReadOnlyFS(guarded)

	// Cut, then grown back: the cut bytes read as zeros.
	f, err := v.OpenReadWrite("/d/a")
	require.NoError(t, err)
	require.NoError(t, f.Truncate(5))
	require.NoError(t, f.Sync())
	got, err := vfs.ReadFile(v, "/d/a", 100)
	require.NoError(t, err)
	require.Equal(t, "hello", string(got))
	require.NoError(t, f.Truncate(7))
	_, err = f.WriteAt([]byte("!"), 8)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err = vfs.ReadFile(v, "/d/a", 100)
	require.NoError(t, err)
	require.Equal(t, "hello\x00\x00\x00!", string(got))

	// A file with a zero tail is copied without it, and reads the same.
	f, err = v.OpenReadWrite("/d/z")
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("Z"), 0)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err = vfs.ReadFile(v, "/d/z", 1000)
	require.NoError(t, err)
	require.Equal(t, append([]byte("Zz"), make([]byte, 100)...), got)

	// Created, renamed over another, removed.
	require.NoError(t, vfs.WriteFileAtomic(v, "/d/c", []byte("new")))
	require.NoError(t, v.Rename("/d/b", "/d/b2"))
	require.NoError(t, v.Remove("/d/c"))
	require.ErrorIs(t, v.Remove("/d/c"), fs.ErrNotExist)
	_, err = v.Open("/d/b")
	require.ErrorIs(t, err, fs.ErrNotExist)
	got, err = vfs.ReadFile(v, "/d/b2", 100)
	require.NoError(t, err)
	require.Equal(t, "bbb", string(got))
	names, err := v.List("/d")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b2", "z"}, names)
	info, err := v.Stat("/d/a")
	require.NoError(t, err)
	require.Equal(t, int64(9), info.Size())

	// Refused outright.
	require.ErrorIs(t, v.MkdirAll("/d/e", 0o755), ErrReadOnly)
	_, err = v.Lock("/d/.lock")
	require.ErrorIs(t, err, ErrReadOnly)
	f, err = v.Open("/d/b2")
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("x"), 0)
	require.ErrorIs(t, err, ErrReadOnly)
	require.NoError(t, f.Close())

	require.Empty(t, refused())
	require.Equal(t, before, dirContents(t, base, "/d"))
	_, ok := any(f).(vfs.OSFile)
	require.False(t, ok, "the view hides descriptors")
}

// TestReadOnlyFollowsNoLaterWrite checks that a read-only log does not see
// what a writer appends after Open, nor read its own snapshot past it.
func TestReadOnlyFollowsNoLaterWrite(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		w := mustOpen(t, dir, Options{FS: fsys})
		appendN(t, w, 0, 10, 5)
		ro := mustOpen(t, dir, Options{FS: fsys, ReadOnly: true})
		appendN(t, w, 10, 10, 5)
		require.Equal(t, int64(10), ro.LogEndOffset())
		require.Equal(t, values(0, 10), readAll(t, ro, 0))
		out, info, err := ro.Read(nil, 5, ReadOptions{})
		require.NoError(t, err)
		require.Equal(t, int64(10), info.NextOffset)
		require.Equal(t, int64(10), info.LogEndOffset)
		require.Equal(t, int64(5), record.Batch(out).BaseOffset())
		_, _, err = ro.Read(nil, 15, ReadOptions{})
		require.ErrorIs(t, err, ErrOffsetOutOfRange)
	})
}

// readValues is readAll, with an empty slice, not nil, for no records.
func readValues(t *testing.T, l *Log, offset int64) []string {
	t.Helper()
	return append([]string{}, readAll(t, l, offset)...)
}
