package partition

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/vfs"
)

// fsyncGate wraps fsys so that, while it is closed, every fsync of a
// segment's log file waits for it to open.
type fsyncGate struct {
	closed atomic.Bool
	open   chan struct{}
}

func newFsyncGate(fsys vfs.FS) (*fsyncGate, vfs.FS) {
	g := &fsyncGate{open: make(chan struct{})}
	return g, vfs.Hook(fsys, func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && strings.HasSuffix(op.Path, ".log") && g.closed.Load() {
			<-g.open
		}
		return nil
	})
}

// eventually polls cond for up to ten seconds.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond, msg)
}

// TestReconfigureDurableOn checks that making a partition durable syncs
// what it holds before Reconfigure returns, and that the high watermark
// then waits for each append's fsync.
func TestReconfigureDurableOn(t *testing.T) {
	m, opts := memOptions(t)
	gate, gated := newFsyncGate(m)
	opts.Log.FS = gated
	p := mustOpen(t, "/data/orders-3", opts)
	for i := range 10 {
		_, err := p.AppendRecords(rec(i))
		require.NoError(t, err)
	}
	require.Equal(t, int64(10), p.HighWatermark(), "committed once written")

	opts.Durable = true
	require.NoError(t, p.Reconfigure(opts))
	require.True(t, p.Durable())
	crashed := mustOpen(t, "/data/orders-3", Options{Log: log.Options{FS: m.CrashClone(vfs.CrashOptions{})}})
	require.Equal(t, int64(10), crashed.LogEndOffset(), "the records written before are durable")

	gate.closed.Store(true)
	appended := make(chan error, 1)
	go func() {
		_, err := p.AppendRecords(rec(10))
		appended <- err
	}()
	eventually(t, func() bool { return p.LogEndOffset() == 11 }, "the append is written")
	require.Equal(t, int64(10), p.HighWatermark(), "the high watermark waits for the fsync")
	close(gate.open)
	require.NoError(t, <-appended)
	require.Equal(t, int64(11), p.HighWatermark())
}

// TestReconfigureDurableOff checks that a partition made not durable
// commits at once what it has written but not synced, and wakes those
// waiting for it.
func TestReconfigureDurableOff(t *testing.T) {
	m, opts := memOptions(t)
	gate, gated := newFsyncGate(m)
	opts.Log.FS = gated
	opts.Durable = true
	p := mustOpen(t, "/data/orders-3", opts)
	_, err := p.AppendRecords(rec(0))
	require.NoError(t, err)

	gate.closed.Store(true)
	defer close(gate.open)
	go p.AppendRecords(rec(1)) // waits for its fsync until the test ends
	eventually(t, func() bool { return p.LogEndOffset() == 2 }, "the append is written")
	require.Equal(t, int64(1), p.HighWatermark())
	woken := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		woken <- p.Wait(ctx, 1)
	}()

	opts.Durable = false
	require.NoError(t, p.Reconfigure(opts))
	require.False(t, p.Durable())
	require.Equal(t, int64(2), p.HighWatermark(), "the written record is committed")
	require.NoError(t, <-woken)
	r := p.NewReader(0)
	require.Equal(t, []string{"v0", "v1"}, readAll(t, r))
}

// TestReconfigurePartitionOptions checks Options, that Topic, Index and
// OnAdvance stay, that options out of range change nothing, and that a
// closed partition refuses.
func TestReconfigurePartitionOptions(t *testing.T) {
	_, opts := memOptions(t)
	advanced := atomic.Int64{}
	opts.OnAdvance = func() { advanced.Add(1) }
	p := mustOpen(t, "/data/orders-3", opts)
	got := p.Options()
	require.Equal(t, "orders", got.Topic)
	require.Equal(t, int32(3), got.Index)
	require.False(t, got.Durable)
	require.Equal(t, log.FlushNever, got.Log.Flush)
	require.Equal(t, int64(log.DefaultSegmentBytes), got.Log.SegmentBytes, "defaulted")

	bad := got
	bad.Durable = true
	bad.Log.SegmentBytes = 1
	err := p.Reconfigure(bad)
	require.ErrorIs(t, err, ErrInvalidConfig)
	var perr *Error
	require.True(t, errors.As(err, &perr))
	require.Equal(t, "reconfigure", perr.Op)
	require.False(t, p.Durable(), "nothing changed")
	require.Equal(t, int64(log.DefaultSegmentBytes), p.Options().Log.SegmentBytes)

	next := Options{Topic: "other", Index: 9, Durable: true, Log: log.Options{SegmentBytes: 1 << 20}}
	require.NoError(t, p.Reconfigure(next))
	got = p.Options()
	require.Equal(t, "orders", got.Topic)
	require.Equal(t, int32(3), got.Index)
	require.True(t, got.Durable)
	require.Equal(t, log.FlushAlways, got.Log.Flush, "durable means FlushAlways")
	require.Equal(t, int64(1<<20), got.Log.SegmentBytes)
	_, err = p.AppendRecords(rec(0))
	require.NoError(t, err)
	require.Positive(t, advanced.Load(), "OnAdvance is kept")

	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Reconfigure(got), ErrClosed)
}
