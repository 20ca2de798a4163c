package log

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/crashtest"
	"github.com/commitlog-go/commitlog/vfs"
)

// bounds is what a crash of a log may show: its start and end offsets
// within these ranges, and record i holding rec(i) for every i between.
// An operation widens them before it starts and narrows them when it
// returns: an append raises maxEnd first and minEnd once acknowledged.
type bounds struct {
	minStart, maxStart int64
	minEnd, maxEnd     int64
}

// TestCrashMatrix runs a workload of every kind of log change on the
// in-memory filesystem: fsynced appends that roll segments by size and by
// full indexes, explicit rolls, DeleteRecordsBefore, retention by size,
// truncation and appends after it, TruncateFullyAndStartAt, and a clean
// close and reopen in the middle. A crash clone is taken before every sync,
// rename and remove, and a torn one (unsynced data partly kept, appends
// cut at a random byte) before a random third of all changes. Every clone
// must open without error to a log within the bounds the workload had
// acknowledged when the clone was taken.
func TestCrashMatrix(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { crashMatrix(t, seed) })
	}
}

func crashMatrix(t *testing.T, seed uint64) {
	mem := vfs.NewMem()
	require.NoError(t, mem.MkdirAll("/d", 0o755))
	require.NoError(t, mem.SyncDir("/"))
	var mu sync.Mutex
	var b bounds
	set := func(change func(b *bounds)) { mu.Lock(); change(&b); mu.Unlock() }
	x := crashtest.NewMatrix(mem, seed, 0.33, func() bounds { mu.Lock(); defer mu.Unlock(); return b })
	opts := Options{FS: x.FS(), Flush: FlushAlways, SegmentBytes: 1500, MaxIndexBytes: 4096, IndexIntervalBytes: 64,
		RetentionAge: -1, RetentionCheckInterval: -1}
	x.Start()
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	defer func() { l.Close() }()

	rng := rand.New(rand.NewPCG(seed, 3))
	var batchStarts []int64
	appendSome := func(batches int) {
		for range batches {
			end := l.LogEndOffset()
			batchStarts = append(batchStarts, end)
			n := 1 + rng.Int64N(12)
			set(func(b *bounds) { b.maxEnd = end + n })
			appendN(t, l, end, n, n)
			set(func(b *bounds) { b.minEnd = end + n })
		}
	}
	appendSome(60)
	require.NoError(t, l.Roll())
	appendSome(5)

	set(func(b *bounds) { b.maxStart = 150 })
	_, err = l.DeleteRecordsBefore(150)
	require.NoError(t, err)
	set(func(b *bounds) { b.minStart = 150 })

	l.opts.RetentionBytes = 3000
	set(func(b *bounds) { b.maxStart = b.minEnd })
	res, err := l.EnforceRetention()
	require.NoError(t, err)
	require.Positive(t, res.Segments)
	start := l.LogStartOffset()
	set(func(b *bounds) { b.minStart, b.maxStart = start, start })
	l.opts.RetentionBytes = 0

	// Truncation keeps whole batches: cut at the start of one.
	cut := batchStarts[len(batchStarts)-3]
	set(func(b *bounds) { b.minEnd = cut })
	require.NoError(t, l.TruncateTo(cut))
	set(func(b *bounds) { b.maxEnd = cut })
	appendSome(20)

	require.NoError(t, l.Close())
	l, err = Open("/d/p", opts)
	require.NoError(t, err)
	appendSome(10)

	restart := l.LogEndOffset() + 100
	set(func(b *bounds) { b.minEnd, b.maxStart, b.maxEnd = min(b.minEnd, b.minStart), restart, restart })
	require.NoError(t, l.TruncateFullyAndStartAt(restart))
	set(func(b *bounds) { b.minStart, b.maxStart, b.minEnd, b.maxEnd = restart, restart, restart, restart })
	appendSome(10)
	clones := x.Stop()

	exact, torn := 0, 0
	for i, c := range clones {
		if c.Torn {
			torn++
		} else {
			exact++
		}
		checkCrashBounds(t, c, opts, "clone %d of %d, before %s %s, torn %v", i, len(clones), c.Op.Kind, c.Op.Path, c.Torn)
	}
	t.Logf("%d exact clones, %d torn", exact, torn)
}

// checkCrashBounds opens a clone and checks it against its bounds.
func checkCrashBounds(t *testing.T, c crashtest.Clone[bounds], opts Options, msg string, args ...any) {
	t.Helper()
	opts.FS = c.FS
	l, err := Open("/d/p", opts)
	require.NoError(t, err, append([]any{msg}, args...)...)
	defer l.Close()
	start, end := l.LogStartOffset(), l.LogEndOffset()
	b := c.Acked
	if start < b.minStart || start > b.maxStart || end < b.minEnd || end > b.maxEnd {
		t.Logf("%s", c.FS)
		t.Fatalf(msg+": log [%d, %d) outside bounds %+v", append(args, start, end, b)...)
	}
	// TruncateFullyAndStartAt leaves offsets above the old end with no
	// record behind them until the next append; elsewhere the records
	// from start to end are the ones written there.
	got := readAll(t, l, start)
	if want := values(start, end-start); len(got) != len(want) || (len(got) > 0 && (got[0] != want[0] || got[len(got)-1] != want[len(want)-1])) {
		require.Equal(t, want, got, append([]any{msg}, args...)...)
	}
}
