package log

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWaitWakesEveryWaiter(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	appendN(t, l, 0, 10, 10)
	const waiters = 2000
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, waiters)
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- l.Wait(ctx, 10)
		}()
	}
	time.Sleep(20 * time.Millisecond) // let them block
	require.Len(t, errs, 0, "nobody returns before the append")
	appendN(t, l, 10, 1, 1)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, l.Wait(ctx, 5), "a record already there needs no waiting")
}

func TestWaitEnds(t *testing.T) {
	l, err := Open(t.TempDir(), Options{})
	require.NoError(t, err)
	appendN(t, l, 0, 5, 5)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, l.Wait(ctx, 5), context.DeadlineExceeded)

	err = l.Wait(context.Background(), 9)
	var oor *OffsetOutOfRangeError
	require.ErrorAs(t, err, &oor, "waiting past the end")
	require.Equal(t, int64(5), oor.LogEnd)

	done := make(chan error, 1)
	go func() { done <- l.Wait(context.Background(), 5) }()
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, l.Close())
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not wake the waiter")
	}
}

// TestReaderFollowsTheLog tails a log as it is written: Next until the end,
// then Wait for more.
func TestReaderFollowsTheLog(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 3000})
	const total = 500
	got := make(chan []string, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r := l.NewReader(0)
		var vals []string
		for len(vals) < total {
			for r.Next() {
				vals = append(vals, string(r.Record().Value))
			}
			if r.Err() != nil || len(vals) == total || r.Wait(ctx) != nil {
				break
			}
		}
		got <- vals
	}()
	for i := int64(0); i < total; i += 25 {
		appendN(t, l, i, 25, 5)
		time.Sleep(time.Millisecond)
	}
	require.Equal(t, values(0, total), <-got)
}

// BenchmarkWaitWake blocks 1,000 goroutines in Wait on one log and wakes
// them with one append, and reports the latency from the append's start to
// each waiter's return: p50 and p99 over every waiter of every round.
func BenchmarkWaitWake(b *testing.B) {
	l := benchLog(b, Options{})
	batch := benchBatch(b)
	const waiters = 1000
	var lat []time.Duration
	for range b.N {
		end := l.LogEndOffset()
		var ready, done sync.WaitGroup
		woke := make([]time.Time, waiters)
		for i := range waiters {
			ready.Add(1)
			done.Add(1)
			go func() {
				ready.Done()
				l.Wait(context.Background(), end)
				woke[i] = time.Now()
				done.Done()
			}()
		}
		ready.Wait()
		time.Sleep(time.Millisecond) // let them reach Wait's select
		start := time.Now()
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
		done.Wait()
		for _, w := range woke {
			lat = append(lat, w.Sub(start))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
