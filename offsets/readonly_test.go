package offsets

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/vfs"
)

// reopenLine is the line the read-only log writes each time it reads
// itself again after a change.
const reopenLine = "read-only open raced a change to the segments: opening again"

// fsCases are the file systems the read-only tests run on: the in-memory
// one and the real one, whose files another open handle can outlive.
var fsCases = []struct {
	name string
	make func(t *testing.T) (vfs.FS, string)
}{
	{"mem", func(t *testing.T) (vfs.FS, string) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/data", 0o755))
		return m, "/data"
	}},
	{"os", func(t *testing.T) (vfs.FS, string) { return vfs.Default, t.TempDir() }},
}

func forEachFS(t *testing.T, fn func(t *testing.T, fsys vfs.FS, root string)) {
	for _, c := range fsCases {
		t.Run(c.name, func(t *testing.T) {
			fsys, root := c.make(t)
			fn(t, fsys, root)
		})
	}
}

// dirContents returns the files of dir by name, with their bytes: the
// directory listing and every file's contents.
func dirContents(t *testing.T, fsys vfs.FS, dir string) map[string][]byte {
	t.Helper()
	names, err := fsys.List(dir)
	require.NoError(t, err)
	out := make(map[string][]byte, len(names))
	for _, name := range names {
		data, err := vfs.ReadFile(fsys, filepath.Join(dir, name), 1<<30)
		require.NoError(t, err, name)
		out[name] = data
	}
	return out
}

// noWrites wraps fsys so that every operation that could change a file or
// a directory fails, and is reported by the returned function.
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

// requireReadOnly checks that every change to s fails with ErrReadOnly.
func requireReadOnly(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	require.True(t, s.ReadOnly())
	require.ErrorIs(t, s.Commit(ctx, "g1", Commit{Topic: "t", Offset: 99}), ErrReadOnly)
	p, err := s.Queue("g1", Commit{Topic: "t", Offset: 99})
	require.ErrorIs(t, err, ErrReadOnly)
	require.Nil(t, p)
	require.ErrorIs(t, s.DeleteGroup(ctx, "g1"), ErrReadOnly)
	require.ErrorIs(t, s.DeleteTopic(ctx, "t"), ErrReadOnly)
	require.ErrorIs(t, s.KeepTopics(ctx, func(string) bool { return false }), ErrReadOnly)
	require.ErrorIs(t, s.compactLog(), ErrReadOnly)
	require.NoError(t, s.Settle(ctx))
}

// TestReadOnlyBesideAWriter opens a store read-only while a writable
// Store holds the directory's lock: it serves the commits on disk, refuses
// every change, does not follow the writer's later commits, and leaves
// every file as it was, byte for byte, through its Open, its refusals and
// its Close.
func TestReadOnlyBesideAWriter(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, root string) {
		ctx := t.Context()
		dir := filepath.Join(root, DirName)
		clock := time.UnixMilli(1_700_000_000_000)
		w, err := Open(dir, Options{FS: fsys, Now: func() time.Time { return clock }})
		require.NoError(t, err)
		defer w.Close()
		require.NoError(t, w.Commit(ctx, "g1", Commit{Topic: "t", Partition: 0, Offset: 10, Metadata: "m"},
			Commit{Topic: "t", Partition: 1, Offset: 20}))
		require.NoError(t, w.Commit(ctx, "g2", Commit{Topic: "u", Offset: 5}))
		require.NoError(t, w.Commit(ctx, "gone", Commit{Topic: "u", Offset: 7}))
		require.NoError(t, w.DeleteGroup(ctx, "gone"))
		_, err = Open(dir, Options{FS: fsys})
		require.ErrorIs(t, err, vfs.ErrLocked, "the writer holds the lock")

		before := dirContents(t, fsys, dir)
		guarded, refused := noWrites(fsys)
		logger, rec := logcapture.New()
		ro, err := Open(dir, Options{FS: guarded, ReadOnly: true, Logger: logger})
		require.NoError(t, err)
		require.Equal(t, dir, ro.Dir())
		require.Equal(t, []string{"g1", "g2"}, ro.Groups())
		c, ok := ro.Committed("g1", "t", 0)
		require.True(t, ok)
		require.Equal(t, int64(10), c.Offset)
		require.Equal(t, "m", c.Metadata)
		require.True(t, c.Time.Equal(clock), "%v", c.Time)
		g2 := ro.Group("g2")
		require.Len(t, g2, 1)
		require.Equal(t, int64(5), g2[TopicPartition{"u", 0}].Offset)
		_, ok = ro.Committed("gone", "u", 0)
		require.False(t, ok, "a deleted group stays deleted")
		require.Equal(t, w.Stats(), ro.Stats())
		requireReadOnly(t, ro)
		opened := rec.Find("offsets opened")
		require.Len(t, opened, 1, rec.Dump())
		n, _ := opened[0].Int("entries")
		require.Equal(t, int64(3), n, rec.Dump())
		require.Equal(t, before, dirContents(t, fsys, dir), "files changed")

		// The writer goes on; the read-only store shows what it read.
		require.NoError(t, w.Commit(ctx, "g1", Commit{Topic: "t", Partition: 0, Offset: 11}))
		require.NoError(t, w.Commit(ctx, "g3", Commit{Topic: "t", Offset: 1}))
		c, _ = ro.Committed("g1", "t", 0)
		require.Equal(t, int64(10), c.Offset)
		require.Equal(t, []string{"g1", "g2"}, ro.Groups())
		written := dirContents(t, fsys, dir)
		require.NoError(t, ro.Close())
		require.NoError(t, ro.Close(), "Close is idempotent")
		require.ErrorIs(t, ro.Commit(ctx, "g1", Commit{Topic: "t"}), ErrClosed)
		require.Equal(t, written, dirContents(t, fsys, dir), "Close changed files")
		require.Empty(t, refused(), "the read-only store tried to change the files")

		// A store opened now sees the writer's later commits, and the
		// writer reopens to all of them.
		ro, err = Open(dir, Options{FS: guarded, ReadOnly: true})
		require.NoError(t, err)
		require.Equal(t, []string{"g1", "g2", "g3"}, ro.Groups())
		require.NoError(t, ro.Close())
		require.NoError(t, w.Close())
		w, err = Open(dir, Options{FS: fsys})
		require.NoError(t, err)
		c, _ = w.Committed("g1", "t", 0)
		require.Equal(t, int64(11), c.Offset)
		require.NoError(t, w.Close())
		require.Empty(t, refused())
	})
}

// TestReadOnlyMissingDirectory opens a read-only store where there is no
// directory: it has no commits, refuses changes, and creates nothing. A
// file where the directory should be is an error.
func TestReadOnlyMissingDirectory(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, root string) {
		before := dirContents(t, fsys, root)
		guarded, refused := noWrites(fsys)
		for _, dir := range []string{filepath.Join(root, DirName), filepath.Join(root, "no", "such", DirName)} {
			s, err := Open(dir, Options{FS: guarded, ReadOnly: true})
			require.NoError(t, err, dir)
			require.Empty(t, s.Groups())
			_, ok := s.Committed("g", "t", 0)
			require.False(t, ok)
			require.Empty(t, s.Group("g"))
			require.Equal(t, Stats{}, s.Stats())
			require.Equal(t, dir, s.Dir())
			requireReadOnly(t, s)
			require.NoError(t, s.Close())
			require.ErrorIs(t, s.Commit(t.Context(), "g", Commit{Topic: "t"}), ErrClosed)
			_, err = fsys.Stat(dir)
			require.ErrorIs(t, err, fs.ErrNotExist, "the directory was created")
		}
		require.Equal(t, before, dirContents(t, fsys, root))
		require.Empty(t, refused())

		file := filepath.Join(root, "file")
		f, err := fsys.Create(file)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		_, err = Open(file, Options{FS: guarded, ReadOnly: true})
		require.Error(t, err, "a file is not a store")
	})
}

// compactedStore returns a writable store in dir on fsys that has
// compacted its log once (so that it has a log-start checkpoint) and
// committed more since, and the offsets it holds.
func compactedStore(t *testing.T, fsys vfs.FS, dir string) (*Store, map[TopicPartition]Committed) {
	t.Helper()
	ctx := t.Context()
	w, err := Open(dir, Options{FS: fsys, CompactBytes: 1 << 30})
	require.NoError(t, err)
	t.Cleanup(func() { w.Close() })
	for i := range int64(40) {
		require.NoError(t, w.Commit(ctx, "g", Commit{Topic: "t", Partition: int32(i % 4), Offset: i}))
	}
	require.NoError(t, w.compactLog())
	require.Positive(t, w.Stats().LogStartOffset)
	for i := range int64(8) {
		require.NoError(t, w.Commit(ctx, "g", Commit{Topic: "t", Partition: int32(i % 4), Offset: 100 + i}))
	}
	return w, w.Group("g")
}

// requireOffsets checks that s holds group g's offsets want.
func requireOffsets(t *testing.T, want map[TopicPartition]Committed, s *Store) {
	t.Helper()
	got := s.Group("g")
	require.Len(t, got, len(want))
	for tp, w := range want {
		require.Equal(t, w.Offset, got[tp].Offset, "%v", tp)
	}
}

// TestReadOnlyOpenRacingACompaction runs a compaction of the writer at
// the worst moments of a read-only Open: after the directory is listed, so
// that the segments listed are deleted before they are opened; after the
// roll but before the log-start checkpoint is read, so that the read-only
// log takes the old segments for a log that ends at its start, and shows
// nothing; and between the checkpoint and the deletion. Open reads the log
// again and serves every offset. A compaction under every read fails Open.
func TestReadOnlyOpenRacingACompaction(t *testing.T) {
	isSegment := func(op vfs.Op) bool { return op.Kind == vfs.OpOpen && strings.HasSuffix(op.Path, ".log") }
	isStartCheckpoint := func(op vfs.Op) bool {
		return op.Kind == vfs.OpOpen && strings.HasSuffix(op.Path, "log-start-offset-checkpoint")
	}
	cases := []struct {
		name string
		// at is the read-only store's operation the compaction runs
		// before.
		at func(vfs.Op) bool
		// pause stops the compaction at its first deletion until the
		// read-only Open returns.
		pause bool
	}{
		{name: "segments deleted after the listing", at: isSegment},
		{name: "checkpoint read after the compaction", at: isStartCheckpoint},
		{name: "checkpoint read before the deletion", at: isStartCheckpoint, pause: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := vfs.NewMem()
			require.NoError(t, m.MkdirAll("/data", 0o755))
			var pausing atomic.Bool
			reachedRemove, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			writerFS := vfs.Hook(m, func(op vfs.Op) error {
				if op.Kind == vfs.OpRemove && pausing.Load() {
					once.Do(func() { close(reachedRemove) })
					<-release
				}
				return nil
			})
			w, want := compactedStore(t, writerFS, "/data/offsets")
			startBefore := w.Stats().LogStartOffset

			compacted := make(chan error, 1)
			var triggered atomic.Bool
			readerFS := vfs.Hook(m, func(op vfs.Op) error {
				if !c.at(op) || triggered.Swap(true) {
					return nil
				}
				if !c.pause {
					compacted <- w.compactLog()
					return nil
				}
				pausing.Store(true)
				go func() { compacted <- w.compactLog() }()
				select {
				case <-reachedRemove:
					return nil
				case <-time.After(10 * time.Second):
					return fmt.Errorf("test: the compaction did not reach its deletion")
				}
			})
			logger, rec := logcapture.New()
			ro, err := Open("/data/offsets", Options{FS: readerFS, ReadOnly: true, Logger: logger})
			close(release)
			require.NoError(t, <-compacted)
			require.NoError(t, err)
			require.True(t, triggered.Load())
			require.Greater(t, w.Stats().LogStartOffset, startBefore, "the compaction ran")
			requireOffsets(t, want, ro)
			require.NotEmpty(t, rec.Find(reopenLine), rec.Dump())
			require.NoError(t, ro.Close())
		})
	}

	t.Run("every read", func(t *testing.T) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/data", 0o755))
		w, _ := compactedStore(t, m, "/data/offsets")
		var compactions atomic.Int64
		readerFS := vfs.Hook(m, func(op vfs.Op) error {
			if isStartCheckpoint(op) {
				compactions.Add(1)
				return w.compactLog()
			}
			return nil
		})
		logger, rec := logcapture.New()
		_, err := Open("/data/offsets", Options{FS: readerFS, ReadOnly: true, Logger: logger})
		require.ErrorIs(t, err, log.ErrChangedWhileOpening)
		require.Greater(t, compactions.Load(), int64(1))
		require.Contains(t, err.Error(), fmt.Sprintf("%d times", compactions.Load()))
		require.Len(t, rec.Find(reopenLine), int(compactions.Load())-1, rec.Dump())
	})
}

// TestReadOnlyBesideACompactingWriter opens a store read-only, again and
// again, while a writer commits and compacts its log: every Open succeeds
// and holds, for every partition, at least the offset of the last commit
// that returned before it began. It runs on the real file system.
func TestReadOnlyBesideACompactingWriter(t *testing.T) {
	fsys, dir := vfs.Default, filepath.Join(t.TempDir(), DirName)
	ctx := t.Context()
	const partitions = 8
	w, err := Open(dir, Options{FS: fsys, NoSync: true, CompactBytes: 8 << 10})
	require.NoError(t, err)
	defer w.Close()
	var acked, queued [partitions]atomic.Int64
	stop, writerDone := make(chan struct{}), make(chan error, 1)
	go func() {
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			p := i % partitions
			queued[p].Store(i)
			if err := w.Commit(ctx, "g", Commit{Topic: "t", Partition: int32(p), Offset: i, Metadata: "some metadata"}); err != nil {
				writerDone <- err
				return
			}
			acked[p].Store(i)
		}
	}()
	defer func() {
		close(stop)
		require.NoError(t, <-writerDone)
	}()

	deadline := time.Now().Add(30 * time.Second)
	startAtFirst := w.Stats().LogStartOffset
	for round := 0; round < 40 || w.Stats().LogStartOffset == startAtFirst; round++ {
		require.True(t, time.Now().Before(deadline), "timed out after %d rounds", round)
		var low [partitions]int64
		for p := range low {
			low[p] = acked[p].Load()
		}
		ro, err := Open(dir, Options{FS: fsys, ReadOnly: true})
		require.NoError(t, err, "round %d", round)
		for p := range low {
			c, ok := ro.Committed("g", "t", int32(p))
			if low[p] > 0 {
				require.True(t, ok, "round %d, partition %d", round, p)
				require.GreaterOrEqual(t, c.Offset, low[p], "round %d, partition %d", round, p)
			}
			require.LessOrEqual(t, c.Offset, queued[p].Load(), "round %d, partition %d", round, p)
		}
		require.NoError(t, ro.Close())
	}
	require.Greater(t, w.Stats().LogStartOffset, startAtFirst, "the writer compacted while read")
}

// TestLogging checks the store's lines: the offsets loaded on Open, and
// each compaction with the sizes before and after and what it kept.
func TestLogging(t *testing.T) {
	ctx := t.Context()
	logger, rec := logcapture.New()
	m, s := memStore(t, Options{CompactBytes: 8 << 10, Logger: logger})
	require.Len(t, rec.Find("offsets opened"), 1, rec.Dump())
	for i := int64(1); i <= 400; i++ {
		require.NoError(t, s.Commit(ctx, fmt.Sprintf("g%d", i%3), Commit{Topic: "t", Partition: int32(i % 4), Offset: i, Metadata: "m"}))
	}
	lines := rec.Find("offsets compacted")
	require.NotEmpty(t, lines, rec.Dump())
	for _, l := range lines {
		before, ok1 := l.Int("bytes_before")
		after, ok2 := l.Int("bytes_after")
		entries, ok3 := l.Int("entries")
		require.True(t, ok1 && ok2 && ok3, l.Format())
		require.GreaterOrEqual(t, before, int64(8<<10), l.Format())
		require.Less(t, after, before/2, l.Format())
		require.Equal(t, int64(12), entries, l.Format())
		require.Equal(t, "/data/offsets", l.String("dir"))
	}
	require.NoError(t, s.Close())

	logger, rec = logcapture.New()
	s, err := Open("/data/offsets", Options{FS: m, Logger: logger})
	require.NoError(t, err)
	defer s.Close()
	opened := rec.Find("offsets opened")
	require.Len(t, opened, 1, rec.Dump())
	entries, _ := opened[0].Int("entries")
	require.Equal(t, int64(12), entries)
	require.Equal(t, "false", opened[0].String("read_only"))
	require.Equal(t, fmt.Sprint(s.Stats().LogBytes), opened[0].String("log_bytes"))
}
