package log

import (
	"bytes"
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestBadOffsets gives every call that takes an offset negative, past
// the end, and huge offsets: each gets an *OffsetOutOfRangeError or a
// documented clamp, and the log is unchanged.
func TestBadOffsets(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 2000})
	appendN(t, l, 0, 100, 10)
	_, err := l.DeleteRecordsBefore(20)
	require.NoError(t, err)
	before := readAll(t, l, 20)

	for _, off := range []int64{-1, math.MinInt64, 19, 101, math.MaxInt64} {
		_, _, err := l.Read(nil, off, ReadOptions{})
		var oor *OffsetOutOfRangeError
		require.ErrorAs(t, err, &oor, "Read(%d)", off)
		require.Equal(t, off, oor.Offset)
		require.Equal(t, int64(20), oor.LogStart)
		require.Equal(t, int64(100), oor.LogEnd)

		_, err = l.ReadTo(&bytes.Buffer{}, off, ReadOptions{})
		require.ErrorIs(t, err, ErrOffsetOutOfRange, "ReadTo(%d)", off)

		r := l.NewReader(off)
		require.False(t, r.Next())
		require.ErrorIs(t, r.Err(), ErrOffsetOutOfRange, "NewReader(%d)", off)

		if off < 0 {
			require.ErrorIs(t, l.TruncateTo(off), ErrOffsetOutOfRange, "TruncateTo(%d)", off)
		}
	}
	// Truncating at or past the end has nothing to do.
	require.NoError(t, l.TruncateTo(100))
	require.NoError(t, l.TruncateTo(math.MaxInt64))
	// Reading at the end is not an error: there is nothing yet.
	data, _, err := l.Read(nil, 100, ReadOptions{})
	require.NoError(t, err)
	require.Empty(t, data)

	for _, off := range []int64{-1, math.MinInt64, 101, math.MaxInt64} {
		_, err := l.DeleteRecordsBefore(off)
		require.ErrorIs(t, err, ErrOffsetOutOfRange, "DeleteRecordsBefore(%d)", off)
	}
	// Below the start, DeleteRecordsBefore has nothing to do.
	start, err := l.DeleteRecordsBefore(5)
	require.NoError(t, err)
	require.Equal(t, int64(20), start)

	require.Error(t, l.TruncateFullyAndStartAt(-1))

	require.Equal(t, before, readAll(t, l, 20), "nothing changed")
	require.Equal(t, int64(20), l.LogStartOffset())
	require.Equal(t, int64(100), l.LogEndOffset())
}

// TestOversizedAndEmptyRecords: a batch over MaxBatchBytes is refused with
// ErrBatchTooLarge and nothing is written; nil and empty keys and values
// are kept apart; an empty append is refused.
func TestOversizedAndEmptyRecords(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{MaxBatchBytes: 4096})
	_, err := l.AppendRecords(record.Record{Value: make([]byte, 5000)})
	require.ErrorIs(t, err, ErrBatchTooLarge)
	_, err = l.AppendRecords()
	require.ErrorIs(t, err, ErrEmptyBatch)
	_, err = l.Append(nil)
	require.Error(t, err)
	require.Equal(t, int64(0), l.LogEndOffset(), "nothing written")

	info, err := l.AppendRecords(
		record.Record{Key: nil, Value: nil},
		record.Record{Key: []byte{}, Value: []byte{}},
		record.Record{Key: []byte("k"), Value: nil},
	)
	require.NoError(t, err)
	require.Equal(t, int64(0), info.FirstOffset)
	r := l.NewReader(0)
	var got []record.Record
	for r.Next() {
		got = append(got, *r.Record())
	}
	require.NoError(t, r.Err())
	require.Len(t, got, 3)
	require.Nil(t, got[0].Key)
	require.Nil(t, got[0].Value)
	require.NotNil(t, got[1].Key)
	require.NotNil(t, got[1].Value)
	require.Empty(t, got[1].Value)
	require.Nil(t, got[2].Value, "a tombstone stays a tombstone")
	require.Equal(t, int64(3), l.LogEndOffset())
}

// TestClosedLog calls every method of a closed log: those that can fail
// return ErrClosed, and none panics.
func TestClosedLog(t *testing.T) {
	l, err := Open(t.TempDir(), Options{})
	require.NoError(t, err)
	appendN(t, l, 0, 10, 10)
	r := l.NewReader(0)
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "Close twice")

	calls := map[string]error{}
	b := record.NewBuilder()
	b.SetBaseOffset(10)
	b.Append(rec(10))
	batch, err := b.Build()
	require.NoError(t, err)
	_, calls["Append"] = l.Append(bytes.Clone(batch))
	_, calls["AppendFollower"] = l.AppendFollower(bytes.Clone(batch))
	_, calls["AppendRecords"] = l.AppendRecords(rec(0))
	_, calls["DeleteRecordsBefore"] = l.DeleteRecordsBefore(1)
	_, calls["EnforceRetention"] = l.EnforceRetention()
	_, _, calls["ListOffset"] = l.ListOffset(0)
	_, _, calls["ListOffset(MaxTimestamp)"] = l.ListOffset(MaxTimestamp)
	_, _, calls["Read"] = l.Read(nil, 0, ReadOptions{})
	_, calls["ReadTo"] = l.ReadTo(&bytes.Buffer{}, 0, ReadOptions{})
	calls["Roll"] = l.Roll()
	calls["SetLeaderEpoch"] = l.SetLeaderEpoch(3)
	calls["Sync"] = l.Sync(t.Context())
	calls["TruncateFullyAndStartAt"] = l.TruncateFullyAndStartAt(50)
	calls["TruncateTo"] = l.TruncateTo(5)
	calls["Wait"] = l.Wait(context.Background(), 100)
	r.Next()
	calls["Reader"] = r.Err()
	calls["Reader.Wait"] = r.Wait(context.Background())
	nr := l.NewReader(0)
	nr.Next()
	calls["NewReader"] = nr.Err()
	for name, err := range calls {
		require.ErrorIs(t, err, ErrClosed, name)
	}
	// The getters still answer with the last state.
	require.Equal(t, int64(10), l.LogEndOffset())
	l.LogStartOffset()
	l.Size()
	l.NumSegments()
	l.RecoveryPoint()
	l.LeaderEpoch()
	l.EndOffsetForEpoch(0)
	l.SetRetentionUpperBound(5)
}

// TestConcurrentClose closes a log while goroutines append, read, wait and
// sync: every call either succeeds or returns ErrClosed, and every append
// that succeeded is there after reopening.
func TestConcurrentClose(t *testing.T) {
	for _, flush := range []FlushPolicy{FlushNever, FlushAlways} {
		t.Run(flush.String(), func(t *testing.T) {
			dir := t.TempDir()
			l, err := Open(dir, Options{Flush: flush, SegmentBytes: 4096})
			require.NoError(t, err)
			var mu sync.Mutex
			acked := map[int64]bool{}
			var wg sync.WaitGroup
			check := func(what string, err error) bool {
				if err != nil && !errors.Is(err, ErrClosed) {
					t.Errorf("%s: %v", what, err)
				}
				return err == nil
			}
			for range 4 {
				wg.Go(func() {
					for i := 0; ; i++ {
						info, err := l.AppendRecords(record.Record{Value: []byte("v")})
						if !check("append", err) {
							return
						}
						mu.Lock()
						acked[info.FirstOffset] = true
						mu.Unlock()
					}
				})
			}
			for range 2 {
				wg.Go(func() {
					r := l.NewReader(0)
					for {
						for r.Next() {
						}
						if !check("reader", r.Err()) || !check("wait", r.Wait(context.Background())) {
							return
						}
					}
				})
			}
			wg.Go(func() {
				for check("sync", l.Sync(t.Context())) {
				}
			})
			wg.Go(func() {
				for {
					_, _, err := l.Read(nil, l.LogStartOffset(), ReadOptions{MaxBytes: 1000})
					if !check("read", err) {
						return
					}
				}
			})
			for l.LogEndOffset() < 200 {
				runtime.Gosched()
			}
			require.NoError(t, l.Close())
			wg.Wait()

			l, err = Open(dir, Options{})
			require.NoError(t, err)
			defer l.Close()
			for off := range acked {
				require.Less(t, off, l.LogEndOffset(), "acknowledged append %d lost", off)
			}
		})
	}
}

// TestLockedDirectory opens a log directory twice: the second Open gets
// ErrLocked and changes nothing. (The lock between processes is tested in
// vfs with a child process.)
func TestLockedDirectory(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir, Options{})
	appendN(t, l, 0, 5, 5)
	_, err := Open(dir, Options{})
	require.ErrorIs(t, err, ErrLocked)
	require.Equal(t, values(0, 5), readAll(t, l, 0))
}

// TestReadOnlyAndFullDisk fails writes as a read-only filesystem
// (EROFS) and a full disk (ENOSPC) would: the append returns the error,
// wrapped and typed, every later write is refused until the log is
// reopened, and the reopened log holds every acknowledged record.
func TestReadOnlyAndFullDisk(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EROFS, syscall.ENOSPC} {
		t.Run(errno.Error(), func(t *testing.T) {
			mem := vfs.NewMem()
			var failing atomic.Bool
			faults := vfs.Hook(mem, func(op vfs.Op) error {
				if failing.Load() && op.Kind == vfs.OpWrite {
					return errno
				}
				return nil
			})
			opts := Options{FS: faults, Flush: FlushAlways}
			l, err := Open("/d", opts)
			require.NoError(t, err)
			appendN(t, l, 0, 20, 5)
			failing.Store(true)
			_, err = l.AppendRecords(rec(20))
			require.ErrorIs(t, err, errno)
			failing.Store(false)
			_, err = l.AppendRecords(rec(20))
			require.ErrorIs(t, err, errno, "refused until reopened")
			require.Equal(t, values(0, 20), readAll(t, l, 0), "reads go on")
			require.NoError(t, l.Close())
			opts.FS = mem
			l, err = Open("/d", opts)
			require.NoError(t, err)
			defer l.Close()
			require.Equal(t, values(0, 20), readAll(t, l, 0))
			appendN(t, l, 20, 5, 5)
		})
	}
}
