package group

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/internal/metricstest"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestLogsAndMetrics runs a group through joins, a revocation, a
// partition taken from an idle member, expiries and a leave, and checks
// the line logged for each, and the lag each poll reports.
func TestLogsAndMetrics(t *testing.T) {
	r, clock := clockRegistry(t, 2, 10)
	logger, rec := logcapture.New()
	mc := metricstest.New()
	c, err := Open(r, Options{Logger: logger, Metrics: mc})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	opts := MemberOptions{Topics: []string{"t"}, SessionTimeout: 10 * time.Second}
	join := func() *Member {
		m, err := c.Join("g", opts)
		require.NoError(t, err)
		t.Cleanup(func() { m.Close() })
		return m
	}
	find := func(msg, member string) logcapture.Entry {
		t.Helper()
		for _, e := range rec.Find(msg) {
			if e.String("member") == member {
				require.Equal(t, "g", e.String("group"), e.Format())
				return e
			}
		}
		t.Fatalf("no %q line for %s in\n%s", msg, member, rec.Dump())
		return logcapture.Entry{}
	}

	a := join()
	for range 12 {
		_, err := a.Poll(ctx)
		require.NoError(t, err)
	}
	lag := func(p int32) float64 {
		v, ok := mc.Gauge(metrics.ConsumerLag, metrics.Labels{Topic: "t", Partition: p, Group: "g"})
		require.True(t, ok, mc.Dump())
		return v
	}
	require.Equal(t, 0.0, lag(0))
	require.Equal(t, 8.0, lag(1))
	require.Empty(t, mc.Mismatches())

	b := join()
	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop()
	_, err = a.Poll(short)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	e := find("offsets committed on revocation", a.ID())
	require.Equal(t, slog.LevelDebug, e.Level)
	require.Equal(t, "t", e.String("topic"))
	p, _ := e.Int("partition")
	off, _ := e.Int("offset")
	require.Equal(t, [2]int64{1, 2}, [2]int64{p, off})

	_, err = b.Poll(ctx)
	require.NoError(t, err)
	require.NoError(t, a.Close())
	clock.Add(DefaultRebalanceTimeout + time.Second)
	d := join() // takes partition 1 from b, away since its Poll
	e = find("partitions taken from idle member", b.ID())
	require.Equal(t, slog.LevelWarn, e.Level)
	n, _ := e.Int("partitions")
	require.Equal(t, int64(1), n)

	clock.Add(opts.SessionTimeout + time.Second)
	last := join() // b and d expired first
	for _, m := range []*Member{b, d} {
		e = find("member expired", m.ID())
		require.Equal(t, slog.LevelWarn, e.Level)
		require.Equal(t, opts.SessionTimeout.String(), e.String("session_timeout"))
	}
	require.NoError(t, last.Close())

	for _, m := range []*Member{a, b, d, last} {
		require.Equal(t, slog.LevelInfo, find("member joined", m.ID()).Level)
	}
	for _, m := range []*Member{a, last} {
		require.Equal(t, slog.LevelInfo, find("member left", m.ID()).Level)
	}
	var gens []int64
	for _, e := range rec.Find("group rebalanced") {
		require.Equal(t, slog.LevelInfo, e.Level)
		g, _ := e.Int("generation")
		gens = append(gens, g)
	}
	require.True(t, slices.IsSorted(gens), "generations %v", gens)
	e = rec.Find("group rebalanced")[1] // b joined
	members, _ := e.Int("members")
	parts, _ := e.Int("partitions")
	require.Equal(t, [3]int64{2, 2, 2}, [3]int64{gens[1], members, parts}, e.Format())
}

// gatedRegistry opens a registry whose fsyncs of committed offsets, once
// the returned gate is armed, wait until the test opens it.
func gatedRegistry(t *testing.T) (*topic.Registry, *offsetsGate) {
	t.Helper()
	gate := &offsetsGate{open: make(chan struct{}), reached: make(chan struct{}, 1)}
	fsys := vfs.Hook(vfs.NewMem(), func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && gate.armed.Load() && strings.Contains(op.Path, offsets.DirName) {
			select {
			case gate.reached <- struct{}{}:
			default:
			}
			<-gate.open
		}
		return nil
	})
	r, err := topic.Open("/data", topic.Options{FS: fsys, RetentionCheckInterval: -1})
	require.NoError(t, err)
	t.Cleanup(func() {
		gate.release()
		r.Close()
	})
	return r, gate
}

// offsetsGate holds fsyncs of committed offsets back until released.
type offsetsGate struct {
	armed   atomic.Bool
	open    chan struct{}
	reached chan struct{}
	once    sync.Once
}

func (g *offsetsGate) release() { g.once.Do(func() { close(g.open) }) }

// TestCommitContexts checks what the contexts of the calls that commit
// bound: one that has ended commits (or deletes) nothing; one that ends
// while a member's commit waits for its fsync returns at once, and the
// commit still becomes durable.
func TestCommitContexts(t *testing.T) {
	r, gate := gatedRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	produceN(t, prod, "t", 0, 0, 5, time.Now())
	c := groupsOf(t, r)
	m := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}, ManualCommit: true})
	pollN(t, m, 3)
	require.NoError(t, c.Commit(t.Context(), "other", offsets.Commit{Topic: "t", Offset: 1}))

	ended, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, m.Commit(ended), context.Canceled)
	require.ErrorIs(t, m.CommitOffsets(ended, offsets.Commit{Topic: "t", Offset: 2}), context.Canceled)
	require.ErrorIs(t, c.Commit(ended, "g", offsets.Commit{Topic: "t", Offset: 2}), context.Canceled)
	require.ErrorIs(t, c.DeleteGroup(ended, "other"), context.Canceled)
	_, err = m.Poll(ended)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, c.Offsets().Settle(t.Context()))
	_, ok := c.Committed("g", "t", 0)
	require.False(t, ok, "nothing committed under an ended context")
	_, ok = c.Committed("other", "t", 0)
	require.True(t, ok, "nothing deleted under an ended context")

	gate.armed.Store(true)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.Commit(ctx) }()
	select {
	case <-gate.reached:
	case <-time.After(5 * time.Second):
		t.Fatal("the commit's fsync never began")
	}
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Commit went on waiting after its context ended")
	}
	gate.release()
	require.NoError(t, c.Offsets().Settle(t.Context()))
	got, ok := c.Committed("g", "t", 0)
	require.True(t, ok, "the commit became durable after its caller stopped waiting")
	require.Equal(t, int64(3), got.Offset)
}
