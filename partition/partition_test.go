package partition

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

func memOptions(t *testing.T) (*vfs.MemFS, Options) {
	t.Helper()
	m := vfs.NewMem() // the log creates /data, durably
	return m, Options{Topic: "orders", Index: 3, Log: log.Options{FS: m, RetentionCheckInterval: -1}}
}

func mustOpen(t *testing.T, dir string, opts Options) *Partition {
	t.Helper()
	p, err := Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

func rec(i int) record.Record {
	return record.Record{Timestamp: 1_700_000_000_000 + int64(i)*10, Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "v%d", i)}
}

func readAll(t *testing.T, r *Reader) []string {
	t.Helper()
	var out []string
	for r.Next() {
		out = append(out, string(r.Record().Value))
	}
	require.NoError(t, r.Err())
	return out
}

func TestAppendCommitsAndReaderStopsAtHighWatermark(t *testing.T) {
	_, opts := memOptions(t)
	var advances atomic.Int64
	opts.OnAdvance = func() { advances.Add(1) }
	p := mustOpen(t, "/data/orders-3", opts)
	require.Equal(t, int64(0), p.HighWatermark())

	info, err := p.AppendRecords(rec(0), rec(1), rec(2))
	require.NoError(t, err)
	require.Equal(t, int64(2), info.LastOffset)
	require.Equal(t, int64(3), p.HighWatermark())
	require.Equal(t, int64(1), advances.Load())

	r := p.NewReader(1)
	require.Equal(t, []string{"v1", "v2"}, readAll(t, r))
	require.False(t, r.Next(), "nothing past the high watermark")

	_, err = p.AppendRecords(rec(3))
	require.NoError(t, err)
	require.Equal(t, []string{"v3"}, readAll(t, r), "a reader at the end sees later appends")
}

func TestCommittedReadsNeverPassTheHighWatermark(t *testing.T) {
	_, opts := memOptions(t)
	p := mustOpen(t, "/data/orders-3", opts)
	for i := range 4 {
		_, err := p.AppendRecords(rec(2*i), rec(2*i+1))
		require.NoError(t, err)
	}
	// Hold the high watermark back, as replicas that lag would.
	p.highWatermark.Store(4)

	r := p.NewReader(0)
	require.Equal(t, []string{"v0", "v1", "v2", "v3"}, readAll(t, r))

	data, info, err := p.Read(nil, 0, ReadOptions{})
	require.NoError(t, err)
	require.Equal(t, int64(4), info.NextOffset)
	require.Equal(t, int64(4), info.HighWatermark)
	require.Equal(t, int64(8), info.LogEndOffset)
	require.Equal(t, 2, countBatches(t, data))

	data, info, err = p.Read(nil, 5, ReadOptions{})
	require.NoError(t, err, "an offset between the high watermark and the log end is not out of range")
	require.Empty(t, data)
	require.Equal(t, int64(-1), info.FirstOffset)

	data, _, err = p.Read(nil, 0, ReadOptions{Isolation: UpToLogEnd})
	require.NoError(t, err)
	require.Equal(t, 4, countBatches(t, data), "a replica's read goes to the log end")

	var buf bytes.Buffer
	info, err = p.ReadTo(&buf, 0, ReadOptions{})
	require.NoError(t, err)
	require.Equal(t, int64(4), info.NextOffset)
	require.Equal(t, 2, countBatches(t, buf.Bytes()))

	listed, found, err := p.ListOffset(log.LatestTimestamp)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, int64(4), listed.Offset, "latest is the high watermark")
	_, found, err = p.ListOffset(rec(5).Timestamp)
	require.NoError(t, err)
	require.False(t, found, "a timestamp only uncommitted records reach")
	_, found, err = p.ListOffset(log.MaxTimestamp)
	require.NoError(t, err)
	require.False(t, found, "the latest record in time is not committed yet")

	_, err = p.DeleteRecordsBefore(5)
	require.ErrorIs(t, err, ErrOffsetOutOfRange)
	start, err := p.DeleteRecordsBefore(4)
	require.NoError(t, err)
	require.Equal(t, int64(4), start)
}

func countBatches(t *testing.T, data []byte) int {
	t.Helper()
	var sc record.Scanner
	sc.Reset(data, record.CheckAll)
	n := 0
	for sc.Next() {
		n++
	}
	require.NoError(t, sc.Err())
	return n
}

func TestErrorsNameThePartitionAndUnwrap(t *testing.T) {
	_, opts := memOptions(t)
	p := mustOpen(t, "/data/orders-3", opts)
	_, err := p.AppendRecords(rec(0))
	require.NoError(t, err)

	_, _, err = p.Read(nil, 7, ReadOptions{})
	var pe *Error
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "orders", pe.Topic)
	require.Equal(t, int32(3), pe.Partition)
	require.Equal(t, "read", pe.Op)
	var oor *OffsetOutOfRangeError
	require.ErrorAs(t, err, &oor)
	require.Equal(t, int64(7), oor.Offset)
	require.Equal(t, int64(1), oor.LogEnd)
	require.Contains(t, err.Error(), "orders-3")

	_, err = p.Append([]byte("not a batch at all, but long enough to have a header of sixty-one bytes"))
	require.ErrorIs(t, err, ErrCorrupt)

	_, err = Open("/data/orders-3", opts)
	require.ErrorIs(t, err, ErrLocked)

	require.NoError(t, p.Close())
	_, err = p.AppendRecords(rec(1))
	require.ErrorIs(t, err, ErrClosed)
	_, _, err = p.Read(nil, 1, ReadOptions{})
	require.ErrorIs(t, err, ErrClosed)
	r := p.NewReader(1)
	require.False(t, r.Next())
	require.ErrorIs(t, r.Err(), ErrClosed)
}

func TestWait(t *testing.T) {
	_, opts := memOptions(t)
	p := mustOpen(t, "/data/orders-3", opts)
	ctx := context.Background()

	woke := make(chan error, 1)
	go func() { woke <- p.Wait(ctx, 0) }()
	select {
	case err := <-woke:
		t.Fatalf("Wait returned %v before any append", err)
	case <-time.After(20 * time.Millisecond):
	}
	_, err := p.AppendRecords(rec(0))
	require.NoError(t, err)
	require.NoError(t, <-woke)

	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.Wait(short, 1), context.DeadlineExceeded)
	require.ErrorIs(t, p.Wait(ctx, 5), ErrOffsetOutOfRange)

	go func() { woke <- p.Wait(ctx, 1) }()
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, p.Close())
	require.ErrorIs(t, <-woke, ErrClosed)
}

// TestDurableAcknowledgesOnlySyncedRecords crashes the filesystem after
// every acknowledged append from several goroutines: a durable partition
// must keep every record it acknowledged.
func TestDurableAcknowledgesOnlySyncedRecords(t *testing.T) {
	for _, durable := range []bool{true, false} {
		t.Run(fmt.Sprint("durable=", durable), func(t *testing.T) {
			m, opts := memOptions(t)
			opts.Durable = durable
			p := mustOpen(t, "/data/orders-3", opts)
			require.Equal(t, durable, p.Durable())

			var mu sync.Mutex
			var wg sync.WaitGroup
			var crashes []*vfs.MemFS
			for g := range 4 {
				wg.Go(func() {
					for i := range 25 {
						_, err := p.AppendRecords(rec(g*100 + i))
						if !assertNoError(t, err) {
							return
						}
						mu.Lock()
						if i%5 == 0 {
							crashes = append(crashes, m.CrashClone(vfs.CrashOptions{Rand: rand.New(rand.NewPCG(uint64(g), uint64(i)))}))
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			require.Equal(t, int64(100), p.HighWatermark())
			lost := false
			for i, c := range crashes {
				o := opts
				o.Log.FS = c
				q, err := Open("/data/orders-3", o)
				require.NoError(t, err, "clone %d", i)
				// Each clone was taken after at least one more
				// acknowledgement than the one before.
				if q.HighWatermark() < int64(i+1) {
					lost = true
				}
				require.NoError(t, q.Close())
			}
			if durable {
				require.False(t, lost, "a durable partition lost an acknowledged record")
			} else {
				require.True(t, lost, "a partition that never syncs kept everything through crashes; the test shows nothing")
			}
		})
	}
}

func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}

func TestReaderSetOffsetAndConcurrentAppends(t *testing.T) {
	_, opts := memOptions(t)
	p := mustOpen(t, "/data/orders-3", opts)
	const n = 2000
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		r := p.NewReader(0)
		next := 0
		for next < n {
			for r.Next() {
				if got, want := string(r.Record().Value), fmt.Sprintf("v%d", next); got != want {
					done <- fmt.Errorf("offset %d: got %q, want %q", r.Record().Offset, got, want)
					return
				}
				next++
			}
			if err := r.Err(); err != nil {
				done <- err
				return
			}
			if next < n {
				if err := r.Wait(ctx); err != nil {
					done <- err
					return
				}
			}
		}
		r.SetOffset(n - 1)
		if !r.Next() || string(r.Record().Value) != fmt.Sprintf("v%d", n-1) {
			done <- errors.New("SetOffset did not reposition the reader")
			return
		}
		done <- nil
	}()
	for i := 0; i < n; i += 10 {
		recs := make([]record.Record, 10)
		for j := range recs {
			recs[j] = rec(i + j)
		}
		_, err := p.AppendRecords(recs...)
		require.NoError(t, err)
	}
	require.NoError(t, <-done)
}

func TestStatsCarryTheHighWatermark(t *testing.T) {
	p, err := Open(t.TempDir(), Options{Durable: true})
	require.NoError(t, err)
	defer p.Close()
	for i := range 5 {
		_, err := p.AppendRecords(rec(i))
		require.NoError(t, err)
	}
	st := p.Stats()
	require.Equal(t, int64(5), st.HighWatermark)
	require.Equal(t, int64(5), st.LogEndOffset)
	require.Equal(t, int64(5), st.RecoveryPoint, "a durable partition's records are synced")
	require.Equal(t, p.Size(), st.Bytes)
	require.Equal(t, 1, st.Segments)
}
