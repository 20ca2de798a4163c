package log

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// cloningFS takes a crash clone of a MemFS before and after every
// operation that makes something durable or moves a name: each file Sync,
// each SyncDir, each Rename and Remove. A test runs an operation on it and
// then reopens every clone.
// The log's flusher may sync from its own goroutine; mu guards on and
// clones.
type cloningFS struct {
	*vfs.MemFS
	mu     sync.Mutex
	on     bool
	clones []*vfs.MemFS
}

// cloning starts or stops the taking of clones.
func (c *cloningFS) cloning(on bool) {
	c.mu.Lock()
	c.on = on
	c.mu.Unlock()
}

func (c *cloningFS) snap() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.clones = append(c.clones, c.MemFS.CrashClone(vfs.CrashOptions{}))
	}
}

func (c *cloningFS) around(op func() error) error {
	c.snap()
	err := op()
	c.snap()
	return err
}

func (c *cloningFS) SyncDir(dir string) error {
	return c.around(func() error { return c.MemFS.SyncDir(dir) })
}

func (c *cloningFS) Rename(a, b string) error {
	return c.around(func() error { return c.MemFS.Rename(a, b) })
}

func (c *cloningFS) Remove(name string) error {
	return c.around(func() error { return c.MemFS.Remove(name) })
}

func (c *cloningFS) Create(name string) (vfs.File, error) {
	f, err := c.MemFS.Create(name)
	return c.wrap(f, err)
}

func (c *cloningFS) OpenReadWrite(name string) (vfs.File, error) {
	f, err := c.MemFS.OpenReadWrite(name)
	return c.wrap(f, err)
}

func (c *cloningFS) wrap(f vfs.File, err error) (vfs.File, error) {
	if err != nil {
		return nil, err
	}
	return &cloningFile{File: f, fs: c}, nil
}

type cloningFile struct {
	vfs.File
	fs *cloningFS
}

func (f *cloningFile) Sync() error { return f.fs.around(f.File.Sync) }

// logState is what a reopened log shows: its bounds and its records.
type logState struct {
	start, end int64
	values     []string
}

func stateOf(t *testing.T, l *Log) logState {
	return logState{l.LogStartOffset(), l.LogEndOffset(), readAll(t, l, l.LogStartOffset())}
}

// requireAtomic runs op on a log whose records are all durable, taking a
// crash clone at every durability boundary, and checks that every clone
// reopens, without error, to the state before op or the state after it.
func requireAtomic(t *testing.T, opts Options, op func(l *Log) error) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	require.NoError(t, m.SyncDir("/"))
	cfs := &cloningFS{MemFS: m}
	opts.FS = cfs
	opts.RetentionCheckInterval = -1
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	appendN(t, l, 0, 300, 10)
	require.NoError(t, l.Close())
	l, err = Open("/d/p", opts)
	require.NoError(t, err)
	before := stateOf(t, l)

	cfs.cloning(true)
	require.NoError(t, op(l))
	cfs.cloning(false)
	after := stateOf(t, l)
	require.NotEqual(t, before, after, "the operation changes the log")
	require.NoError(t, l.Close())
	require.NotEmpty(t, cfs.clones)

	for i, clone := range cfs.clones {
		copts := opts
		copts.FS = clone
		cl, err := Open("/d/p", copts)
		require.NoError(t, err, "clone %d of %d", i, len(cfs.clones))
		got := stateOf(t, cl)
		if got.end != before.end || got.start != before.start {
			require.Equal(t, after, got, "clone %d of %d is neither before nor after", i, len(cfs.clones))
		} else {
			require.Equal(t, before, got, "clone %d of %d", i, len(cfs.clones))
		}
		require.NoError(t, cl.Close())
	}
}

func TestTruncationIsAtomicAcrossCrashes(t *testing.T) {
	opts := Options{SegmentBytes: 1500, MaxIndexBytes: 4096, Flush: FlushAlways}
	t.Run("TruncateTo", func(t *testing.T) {
		requireAtomic(t, opts, func(l *Log) error { return l.TruncateTo(123) })
	})
	t.Run("TruncateToSegmentBase", func(t *testing.T) {
		requireAtomic(t, opts, func(l *Log) error { return l.TruncateTo(l.segs.Load().segs[2].BaseOffset()) })
	})
	t.Run("TruncateFullyAndStartAt", func(t *testing.T) {
		requireAtomic(t, opts, func(l *Log) error { return l.TruncateFullyAndStartAt(5000) })
	})
}

func TestRetentionIsAtomicAcrossCrashes(t *testing.T) {
	t.Run("by size", func(t *testing.T) {
		requireAtomic(t, Options{SegmentBytes: 1500, MaxIndexBytes: 4096, Flush: FlushAlways, RetentionAge: -1, RetentionBytes: 5000},
			func(l *Log) error { _, err := l.EnforceRetention(); return err })
	})
	t.Run("DeleteRecordsBefore", func(t *testing.T) {
		requireAtomic(t, Options{SegmentBytes: 1500, MaxIndexBytes: 4096, Flush: FlushAlways},
			func(l *Log) error { _, err := l.DeleteRecordsBefore(155); return err })
	})
}
