package log

import (
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestReadOnlyOpenRacingRetention opens a log read-only, again and again,
// while a writer on the same file system appends to it in small segments
// and deletes its oldest records and segments (DeleteRecordsBefore and
// retention by size). Every Open either fails with an error wrapping
// ErrChangedWhileOpening or shows a log the writer had: every record from
// its start to its end, each with its own value, up to at least the end
// the writer had when Open began. Close never fails.
func TestReadOnlyOpenRacingRetention(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/data", 0o755))
	const dir = "/data/p-0"
	w := mustOpen(t, dir, Options{FS: m, SegmentBytes: 2 << 10, IndexIntervalBytes: 256,
		RetentionBytes: 8 << 10, RetentionAge: -1, RetentionCheckInterval: -1})
	appendN(t, w, 0, 30, 3)

	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	var deletions atomic.Int64
	go func() {
		for i := int64(30); ; i += 3 {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			if _, err := w.AppendRecords(rec(i), rec(i+1), rec(i+2)); err != nil {
				writerDone <- err
				return
			}
			var err error
			switch i % 90 {
			case 0:
				_, err = w.DeleteRecordsBefore(i - 40)
				deletions.Add(1)
			case 45:
				_, err = w.EnforceRetention()
				deletions.Add(1)
			}
			if err != nil {
				writerDone <- err
				return
			}
		}
	}()

	var opened, changed int
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) || opened < 10 {
		require.True(t, time.Now().Before(deadline.Add(10*time.Second)), "only %d opens succeeded", opened)
		endBefore := w.LogEndOffset()
		ro, err := Open(dir, Options{FS: m, ReadOnly: true})
		if err != nil {
			require.ErrorIs(t, err, ErrChangedWhileOpening)
			changed++
			continue
		}
		opened++
		start, end := ro.LogStartOffset(), ro.LogEndOffset()
		require.GreaterOrEqual(t, end, endBefore, "a record the writer had is missing at the end")
		require.Equal(t, values(start, end-start), readValues(t, ro, start), "open %d: records [%d, %d)", opened, start, end)
		require.NoError(t, ro.Close())
	}
	close(stop)
	require.NoError(t, <-writerDone)
	require.Positive(t, deletions.Load(), "the writer deleted records while read")
	t.Logf("%d opens, %d failed for changes, %d deletions", opened, changed, deletions.Load())
}

// TestReadOnlyViewVanishedFiles checks that the view a read-only log reads
// through never takes a base file another process removed for an empty
// one: opening it for writing, or renaming it, fails with an error
// wrapping fs.ErrNotExist. A name the base never showed is made in
// memory, and a file the view took in stays as it was read, whatever
// happens to its name.
func TestReadOnlyViewVanishedFiles(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	for _, name := range []string{"a.log", "b.index", "c.log"} {
		appendFile(t, m, "/d/"+name, []byte("old "+name))
	}
	var opens, closes atomic.Int64
	base := vfs.Hook(m, func(op vfs.Op) error {
		switch op.Kind {
		case vfs.OpOpen, vfs.OpOpenReadWrite:
			opens.Add(1)
		case vfs.OpClose:
			closes.Add(1)
		}
		return nil
	})
	v := newReadOnlyFS(base)
	names, err := v.List("/d")
	require.NoError(t, err)
	require.Equal(t, []string{"a.log", "b.index", "c.log"}, names)

	// c.log is taken in before the writer deletes it and puts another
	// file in its place.
	c, err := v.OpenReadWrite("/d/c.log")
	require.NoError(t, err)
	for _, name := range []string{"a.log", "b.index", "c.log"} {
		require.NoError(t, m.Remove("/d/"+name))
	}
	appendFile(t, m, "/d/c.log", []byte("new"))

	_, err = v.OpenReadWrite("/d/a.log")
	require.ErrorIs(t, err, fs.ErrNotExist, "a listed file that vanished")
	_, err = v.Open("/d/a.log")
	require.ErrorIs(t, err, fs.ErrNotExist)
	err = v.Rename("/d/b.index", "/d/b.index.tmp")
	require.ErrorIs(t, err, fs.ErrNotExist, "a listed file that vanished")
	_, err = v.Stat("/d/b.index.tmp")
	require.ErrorIs(t, err, fs.ErrNotExist, "nothing was made in its place")

	// The view removes a vanished file as the base did; then the name is
	// the view's to make again, as Open rebuilding an index does.
	require.NoError(t, v.Remove("/d/b.index"))
	idx, err := v.OpenReadWrite("/d/b.index")
	require.NoError(t, err)
	require.NoError(t, idx.Close())
	fresh, err := v.OpenReadWrite("/d/never.index")
	require.NoError(t, err, "a name the base never had")
	info, err := fresh.Stat()
	require.NoError(t, err)
	require.Zero(t, info.Size())
	require.NoError(t, fresh.Close())

	// The file taken in reads as it was, through every handle, and
	// closing them opens nothing.
	require.NoError(t, c.Close())
	opensBefore := opens.Load()
	c2, err := v.OpenReadWrite("/d/c.log")
	require.NoError(t, err)
	got := make([]byte, len("old c.log"))
	_, err = c2.ReadAt(got, 0)
	require.NoError(t, err)
	require.Equal(t, "old c.log", string(got))
	require.NoError(t, c2.Close())
	require.Equal(t, opensBefore, opens.Load(), "a file of the view was opened again by name")
	require.Equal(t, "new", string(readFileBytes(t, m, "/d/c.log")), "the base changed")

	require.NoError(t, v.Close())
	// Four base opens failed, leaving nothing to close: a.log twice,
	// b.index once (by Rename) and never.index.
	require.Equal(t, opens.Load(), closes.Load()+4, "every base file opened was closed")
}

// readFileBytes returns the contents of name on fsys.
func readFileBytes(t *testing.T, fsys vfs.FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(name)
	require.NoError(t, err)
	defer f.Close()
	info, err := f.Stat()
	require.NoError(t, err)
	data := make([]byte, info.Size())
	_, err = f.ReadAt(data, 0)
	require.NoError(t, err)
	return data
}

// TestReadOnlyCloseAfterWriterDeletes opens a log read-only, lets the
// writer roll and delete every segment the read-only log holds, the
// active one among them, and checks that
// the read-only log still reads every record it had, and closes without
// error and without opening a file by name.
func TestReadOnlyCloseAfterWriterDeletes(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/data", 0o755))
	const dir = "/data/p-0"
	w := mustOpen(t, dir, Options{FS: m, SegmentBytes: 4 << 10, IndexIntervalBytes: 128,
		RetentionCheckInterval: -1})
	appendN(t, w, 0, 300, 3)
	require.Greater(t, w.NumSegments(), 2)

	var mu sync.Mutex
	var ops []vfs.Op
	var recording atomic.Bool
	readerFS := vfs.Hook(m, func(op vfs.Op) error {
		if recording.Load() {
			mu.Lock()
			ops = append(ops, op)
			mu.Unlock()
		}
		return nil
	})
	ro := mustOpen(t, dir, Options{FS: readerFS, ReadOnly: true, IndexIntervalBytes: 128})
	end := ro.LogEndOffset()
	require.Equal(t, int64(300), end)

	require.NoError(t, w.Roll())
	_, err := w.DeleteRecordsBefore(end)
	require.NoError(t, err)
	before, err := listSegmentLogs(m, dir)
	require.NoError(t, err)
	require.Len(t, before, 1, "the writer kept only the segment it rolled")
	appendN(t, w, end, 30, 3)

	require.Equal(t, values(0, end), readValues(t, ro, 0), "the records read after the writer deleted them")
	recording.Store(true)
	require.NoError(t, ro.Close())
	mu.Lock()
	defer mu.Unlock()
	for _, op := range ops {
		require.False(t, op.Kind == vfs.OpOpen || op.Kind == vfs.OpOpenReadWrite || op.Kind == vfs.OpCreate,
			"Close opened %s", op.Path)
	}
}

// TestReadOnlyOpenReadsAgain rolls and deletes segments of the writer
// while a read-only Open reads the log-start checkpoint: once, after
// which Open reads the log again and shows all of it, and then under
// every read, which fails Open with an error wrapping
// ErrChangedWhileOpening. Each new read is logged.
func TestReadOnlyOpenReadsAgain(t *testing.T) {
	const reopen = "read-only open raced a change to the segments: opening again"
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/data", 0o755))
	const dir = "/data/p-0"
	w := mustOpen(t, dir, Options{FS: m, SegmentBytes: 4 << 10, RetentionCheckInterval: -1})
	appendN(t, w, 0, 300, 3)
	_, err := w.DeleteRecordsBefore(10) // for a log-start checkpoint to read
	require.NoError(t, err)
	next := int64(300)
	// change rolls the writer and deletes its oldest records, as a
	// compaction does.
	change := func() error {
		if err := w.Roll(); err != nil {
			return err
		}
		if _, err := w.DeleteRecordsBefore(next - 100); err != nil {
			return err
		}
		_, err := w.AppendRecords(rec(next), rec(next+1), rec(next+2))
		next += 3
		return err
	}
	readerFS := func(times int) (vfs.FS, *atomic.Int64) {
		var changes atomic.Int64
		return vfs.Hook(m, func(op vfs.Op) error {
			if op.Kind != vfs.OpOpen || filepath.Base(op.Path) != logStartFile || changes.Load() >= int64(times) {
				return nil
			}
			changes.Add(1)
			return change()
		}), &changes
	}

	fsys, changes := readerFS(1)
	logger, rec := logcapture.New()
	ro := mustOpen(t, dir, Options{FS: fsys, ReadOnly: true, Logger: logger})
	require.Equal(t, int64(1), changes.Load())
	require.Equal(t, next, ro.LogEndOffset())
	start := ro.LogStartOffset()
	require.Equal(t, values(start, next-start), readValues(t, ro, start))
	lines := rec.Find(reopen)
	require.Len(t, lines, 1, rec.Dump())
	require.Equal(t, dir, lines[0].String("dir"))
	require.NoError(t, ro.Close())

	fsys, changes = readerFS(1 << 20)
	logger, rec = logcapture.New()
	_, err = Open(dir, Options{FS: fsys, ReadOnly: true, Logger: logger})
	require.ErrorIs(t, err, ErrChangedWhileOpening)
	require.NotErrorIs(t, err, fs.ErrNotExist, "the cause is the change, not a missing file")
	require.Equal(t, int64(readOnlyAttempts), changes.Load())
	require.Len(t, rec.Find(reopen), readOnlyAttempts-1, rec.Dump())
}
