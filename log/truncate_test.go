package log

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

func TestTruncateTo(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		opts := Options{FS: fsys, SegmentBytes: 1200}
		l, err := Open(dir, opts)
		require.NoError(t, err)
		appendN(t, l, 0, 200, 10)
		segsBefore := l.NumSegments()
		require.Greater(t, segsBefore, 4)

		require.NoError(t, l.TruncateTo(200), "at the end: nothing to do")
		require.Equal(t, int64(200), l.LogEndOffset())

		require.NoError(t, l.TruncateTo(55))
		require.Equal(t, int64(50), l.LogEndOffset(), "the batch holding 55 goes whole")
		require.Less(t, l.NumSegments(), segsBefore)
		require.Equal(t, values(0, 50), readAll(t, l, 0))
		_, _, err = l.Read(nil, 60, ReadOptions{})
		require.ErrorIs(t, err, ErrOffsetOutOfRange)
		names, err := fsys.List(dir)
		require.NoError(t, err)
		for _, name := range names {
			if base, ext, ok := segment.ParseFileName(name); ok && ext == segment.LogExt {
				require.LessOrEqual(t, base, int64(50), "segments after the cut are deleted: %s", name)
			}
		}

		// The log goes on from the cut, and keeps it across a reopen.
		appendN(t, l, 50, 30, 10)
		require.Equal(t, values(0, 80), readAll(t, l, 0))
		require.NoError(t, l.Close())
		l, err = Open(dir, opts)
		require.NoError(t, err)
		defer l.Close()
		require.Equal(t, int64(80), l.LogEndOffset())
		require.Equal(t, values(0, 80), readAll(t, l, 0))

		// At a segment's base offset: that segment empties.
		base := l.segs.Load().segs[1].BaseOffset()
		require.NoError(t, l.TruncateTo(base))
		require.Equal(t, base, l.LogEndOffset())
		require.Equal(t, values(0, base), readAll(t, l, 0))
	})
}

func TestTruncateFullyAndStartAt(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		opts := Options{FS: fsys, SegmentBytes: 1200}
		l, err := Open(dir, opts)
		require.NoError(t, err)
		appendN(t, l, 0, 100, 10)

		// To the base offset of an existing segment: the new one takes
		// the name of the old.
		base := l.segs.Load().segs[2].BaseOffset()
		require.NoError(t, l.TruncateFullyAndStartAt(base))
		require.Equal(t, base, l.LogStartOffset())
		require.Equal(t, base, l.LogEndOffset())
		require.Equal(t, 1, l.NumSegments())
		_, _, err = l.Read(nil, 0, ReadOptions{})
		require.ErrorIs(t, err, ErrOffsetOutOfRange)

		require.NoError(t, l.TruncateFullyAndStartAt(1000))
		info, err := l.AppendRecords(rec(1000))
		require.NoError(t, err)
		require.Equal(t, int64(1000), info.FirstOffset)
		require.NoError(t, l.Close())

		l, err = Open(dir, opts)
		require.NoError(t, err)
		defer l.Close()
		require.Equal(t, int64(1000), l.LogStartOffset())
		require.Equal(t, int64(1001), l.LogEndOffset())
		require.Equal(t, values(1000, 1), readAll(t, l, 1000))

		require.Error(t, l.TruncateFullyAndStartAt(-1))
		require.NoError(t, l.TruncateTo(3), "below the log start: start again there")
		require.Equal(t, int64(3), l.LogStartOffset())
		require.Equal(t, int64(3), l.LogEndOffset())
	})
}

func TestTruncateWakesWaitersPastTheEnd(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	appendN(t, l, 0, 30, 10)
	done := make(chan error, 1)
	go func() { done <- l.Wait(context.Background(), 30) }()
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, l.TruncateTo(15))
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrOffsetOutOfRange)
	case <-time.After(10 * time.Second):
		t.Fatal("truncation did not wake the waiter")
	}
}

// TestTruncateWhileReading truncates and appends while readers read, under
// -race: readers see records or an out-of-range error, never a panic or a
// closed file.
func TestTruncateWhileReading(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1500})
	appendN(t, l, 0, 300, 10)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 9))
			for {
				select {
				case <-stop:
					return
				default:
				}
				end := l.LogEndOffset()
				if end == 0 {
					continue
				}
				r := l.NewReader(rng.Int64N(end))
				for r.Next() {
				}
				if err := r.Err(); err != nil && !errors.Is(err, ErrOffsetOutOfRange) {
					t.Errorf("reader: %v", err)
					return
				}
			}
		}()
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 30 {
		require.NoError(t, l.TruncateTo(rng.Int64N(l.LogEndOffset()+1)))
		end := l.LogEndOffset()
		appendN(t, l, end, 50, 10)
	}
	close(stop)
	wg.Wait()
	end := l.LogEndOffset()
	require.Len(t, readAll(t, l, 0), int(end))
}

// TestTruncationDroppingTheActiveSegment truncates away the active
// segment, whose index entries were never written, and appends again: the
// next segment at the same base offset must start with empty indexes, not
// with files the dropped segment's last release wrote again under the
// removed names.
func TestTruncationDroppingTheActiveSegment(t *testing.T) {
	l := mustOpen(t, "/d/p", Options{FS: vfs.NewMem(), SegmentBytes: 1500, IndexIntervalBytes: 64, RetentionCheckInterval: -1})
	appendN(t, l, 0, 20, 1)
	require.Equal(t, 2, l.NumSegments())
	require.NoError(t, l.TruncateTo(0))
	appendN(t, l, 0, 40, 1)
	require.Equal(t, values(0, 40), readAll(t, l, 0))
}

// TestTruncationIsAtomicWithIndexEntries is TestTruncationIsAtomicAcrossCrashes
// with index entries every few batches: a crash after the cut of a segment
// and before the recovery point came down below it left a log whose
// recovery trusted that segment's stale index, and Open could not carry
// the truncation out.
func TestTruncationIsAtomicWithIndexEntries(t *testing.T) {
	requireAtomic(t, Options{SegmentBytes: 1500, MaxIndexBytes: 4096, IndexIntervalBytes: 64, Flush: FlushAlways},
		func(l *Log) error { return l.TruncateTo(123) })
}

// TestLeftoverSegmentBelowARestart fails the removal of a segment's log
// file during retention, which goes on, and then truncates below the log
// start, restarting the log below that file: the file must not come back
// into the log on the next Open.
func TestLeftoverSegmentBelowARestart(t *testing.T) {
	m := vfs.NewMem()
	var armed atomic.Bool
	f := vfs.NewFaultFS(m, vfs.FaultPlan{FailAt: 3, Match: func(op vfs.Op) bool { return armed.Load() && op.Kind == vfs.OpRemove }})
	opts := Options{FS: f, SegmentBytes: 1500, RetentionAge: -1, RetentionBytes: 3000, RetentionCheckInterval: -1}
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	appendN(t, l, 0, 100, 1)
	armed.Store(true)
	_, err = l.EnforceRetention()
	require.Error(t, err, "the second segment's log file stays")
	armed.Store(false)
	require.Positive(t, l.LogStartOffset())
	require.NoError(t, l.TruncateTo(0), "below the start: the log restarts at 0")
	var want []string
	for i := range 100 {
		want = append(want, fmt.Sprintf("new-%d", i))
		_, err := l.AppendRecords(record.Record{Value: []byte(want[i])})
		require.NoError(t, err)
	}
	require.NoError(t, l.Close())
	opts.FS = m
	l = mustOpen(t, "/d/p", opts)
	require.Equal(t, want, readAll(t, l, 0), "no record of the old log comes back")
}
