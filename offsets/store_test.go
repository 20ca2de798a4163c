package offsets

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// memStore opens a store on a fresh in-memory filesystem whose directory
// is durable, closed when the test ends.
func memStore(t *testing.T, opts Options) (*vfs.MemFS, *Store) {
	t.Helper()
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/data", 0o755))
	require.NoError(t, m.SyncDir("/"))
	opts.FS = m
	s, err := Open("/data/offsets", opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return m, s
}

func TestCommit(t *testing.T) {
	ctx := t.Context()
	clock := time.UnixMilli(1_700_000_000_123).Add(456 * time.Microsecond)
	opts := Options{Now: func() time.Time { return clock }}
	m, s := memStore(t, opts)

	_, ok := s.Committed("billing", "orders", 0)
	require.False(t, ok)
	require.NoError(t, s.Commit(ctx, "billing",
		Commit{Topic: "orders", Partition: 0, Offset: 10, Metadata: "node-a"},
		Commit{Topic: "orders", Partition: 2, Offset: 7}))
	require.NoError(t, s.Commit(ctx, "billing", Commit{Topic: "orders", Partition: 0, Offset: 12}))
	require.NoError(t, s.Commit(ctx, "search", Commit{Topic: "audit", Partition: 0, Offset: 0}))

	want := map[TopicPartition]Committed{
		{"orders", 0}: {Offset: 12, Time: time.UnixMilli(1_700_000_000_123)},
		{"orders", 2}: {Offset: 7, Time: time.UnixMilli(1_700_000_000_123)},
	}
	check := func(s *Store) {
		t.Helper()
		got := s.Group("billing")
		require.Len(t, got, len(want))
		for tp, w := range want {
			require.Equal(t, w.Offset, got[tp].Offset, "%v", tp)
			require.Equal(t, w.Metadata, got[tp].Metadata, "%v", tp)
			require.True(t, w.Time.Equal(got[tp].Time), "%v: %v", tp, got[tp].Time)
		}
		require.Equal(t, []string{"billing", "search"}, s.Groups())
	}
	check(s)
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Commit(ctx, "g", Commit{Topic: "t"}), ErrClosed)
	require.NoError(t, s.Close(), "Close is idempotent")

	opts.FS = m
	s, err := Open("/data/offsets", opts)
	require.NoError(t, err)
	defer s.Close()
	check(s)

	require.NoError(t, s.DeleteGroup(ctx, "search"))
	require.Equal(t, []string{"billing"}, s.Groups())
	require.NoError(t, s.Commit(ctx, "search", Commit{Topic: "orders", Offset: 3}))
	require.NoError(t, s.DeleteTopic(ctx, "orders"))
	require.Empty(t, s.Groups(), "deleting a topic forgets every group's offsets in it")
}

func TestCommitRefusesBadInput(t *testing.T) {
	ctx := t.Context()
	_, s := memStore(t, Options{})
	for _, tc := range []struct {
		group  string
		commit Commit
		want   error
	}{
		{"", Commit{Topic: "t"}, ErrInvalidGroup},
		{strings.Repeat("g", maxShortString+1), Commit{Topic: "t"}, ErrInvalidGroup},
		{"g", Commit{Topic: ""}, ErrInvalidTopic},
		{"g", Commit{Topic: strings.Repeat("t", maxShortString+1)}, ErrInvalidTopic},
		{"g", Commit{Topic: "t", Partition: -1}, ErrInvalidPartition},
		{"g", Commit{Topic: "t", Offset: -1}, ErrInvalidOffset},
		{"g", Commit{Topic: "t", Metadata: strings.Repeat("m", MaxMetadata+1)}, ErrMetadataTooLarge},
	} {
		err := s.Commit(ctx, tc.group, Commit{Topic: "t", Offset: 1}, tc.commit)
		require.ErrorIs(t, err, tc.want, "%+v", tc.commit)
	}
	require.Empty(t, s.Groups(), "a refused call commits nothing, not even its valid part")
}

func TestKeepTopics(t *testing.T) {
	ctx := t.Context()
	_, s := memStore(t, Options{})
	for _, topic := range []string{"a", "b", "c"} {
		require.NoError(t, s.Commit(ctx, "g", Commit{Topic: topic, Offset: 5}))
	}
	require.NoError(t, s.KeepTopics(ctx, func(topic string) bool { return topic != "b" }))
	require.Len(t, s.Group("g"), 2)
	_, ok := s.Committed("g", "b", 0)
	require.False(t, ok)
}

// TestCommitsSurviveCrashes commits from many goroutines, each its own
// partition with increasing offsets, and takes crash clones as commits
// return: each clone holds, for every partition, at least the offset of
// the last commit that returned before it was taken.
func TestCommitsSurviveCrashes(t *testing.T) {
	ctx := t.Context()
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/data", 0o755))
	require.NoError(t, m.SyncDir("/"))
	var syncs atomic.Int64
	h := vfs.Hook(m, func(op vfs.Op) error {
		if op.Kind == vfs.OpSync {
			syncs.Add(1)
			time.Sleep(100 * time.Microsecond)
		}
		return nil
	})
	s, err := Open("/data/offsets", Options{FS: h})
	require.NoError(t, err)
	defer s.Close()
	const writers, commits = 16, 100
	syncs.Store(0)

	type crash struct {
		fs   *vfs.MemFS
		seen [writers]int64
	}
	var mu sync.Mutex
	var acked [writers]int64
	var crashes []crash
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := int64(1); i <= commits; i++ {
				if err := s.Commit(ctx, "g", Commit{Topic: "t", Partition: int32(w), Offset: i}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[w] = i
				if rng.IntN(20) == 0 {
					crashes = append(crashes, crash{fs: m.CrashClone(vfs.CrashOptions{Rand: rng}), seen: acked})
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Less(t, syncs.Load(), int64(writers*commits/2), "commits share fsyncs")
	require.NotEmpty(t, crashes)
	for i, c := range crashes {
		cs, err := Open("/data/offsets", Options{FS: c.fs})
		require.NoError(t, err, "crash %d", i)
		for w := range writers {
			got, ok := cs.Committed("g", "t", int32(w))
			if c.seen[w] > 0 {
				require.True(t, ok, "crash %d, partition %d", i, w)
				require.GreaterOrEqual(t, got.Offset, c.seen[w], "crash %d, partition %d", i, w)
			}
		}
		require.NoError(t, cs.Close())
	}
}

// TestLogIsCompacted commits far more than the live offsets take: the log
// is rewritten and cut, stays small, and reopens to the latest offsets,
// also from crash clones taken around each compaction.
func TestLogIsCompacted(t *testing.T) {
	ctx := t.Context()
	m, s := memStore(t, Options{CompactBytes: 16 << 10})
	var crashes []*vfs.MemFS
	for i := int64(1); i <= 3000; i++ {
		p := int32(i % 8)
		require.NoError(t, s.Commit(ctx, fmt.Sprintf("g%d", i%5), Commit{Topic: "t", Partition: p, Offset: i, Metadata: "m"}))
		if i%250 == 0 {
			crashes = append(crashes, m.CrashClone(vfs.CrashOptions{}))
		}
	}
	stats := s.Stats()
	require.Less(t, stats.LogBytes, int64(64<<10), "the log stays near its compaction threshold")
	require.Positive(t, stats.LogStartOffset, "compaction moved the log start")
	require.Equal(t, 8*5, stats.Offsets)
	want := map[string]map[TopicPartition]Committed{}
	for _, g := range s.Groups() {
		want[g] = s.Group(g)
	}
	require.Len(t, want, 5)
	require.NoError(t, s.Close())
	crashes = append(crashes, m)
	for i, c := range crashes {
		cs, err := Open("/data/offsets", Options{FS: c})
		require.NoError(t, err, "clone %d", i)
		for g, offsets := range want {
			got := cs.Group(g)
			require.Len(t, got, len(offsets), "clone %d, group %s", i, g)
			if i == len(crashes)-1 {
				for tp, w := range offsets {
					require.Equal(t, w.Offset, got[tp].Offset)
				}
			}
		}
		require.NoError(t, cs.Close())
	}
}

// TestQueueOrdersRounds queues commits of one partition under a caller's
// lock from many goroutines, waiting outside it: the offset read at the
// end is the last one queued.
func TestQueueOrdersRounds(t *testing.T) {
	ctx := t.Context()
	_, s := memStore(t, Options{})
	var mu sync.Mutex
	var last int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				mu.Lock()
				last++
				p, err := s.Queue("g", Commit{Topic: "t", Offset: last, Metadata: fmt.Sprint(g, i)})
				mu.Unlock()
				require.NoError(t, err)
				require.NoError(t, p.Wait(ctx))
			}
		})
	}
	wg.Wait()
	require.NoError(t, s.Settle(ctx))
	got, ok := s.Committed("g", "t", 0)
	require.True(t, ok)
	require.Equal(t, last, got.Offset)
}

// BenchmarkCommit has 32 goroutines commit one offset each per call, with
// and without an fsync per group commit.
func BenchmarkCommit(b *testing.B) {
	ctx := b.Context()
	for _, noSync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", !noSync), func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{NoSync: noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var next atomic.Int32
			b.SetParallelism(32)
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				p := next.Add(1) % 64
				for i := int64(0); pb.Next(); i++ {
					if err := s.Commit(ctx, "group", Commit{Topic: "t", Partition: p, Offset: i}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commits/s")
		})
	}
}

// gatedStore opens a store whose fsyncs, once gate.close is armed, wait
// until the test opens the gate.
func gatedStore(t *testing.T) (*Store, *syncGate) {
	t.Helper()
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/data", 0o755))
	require.NoError(t, m.SyncDir("/"))
	g := &syncGate{open: make(chan struct{}), reached: make(chan struct{}, 1)}
	h := vfs.Hook(m, func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && g.armed.Load() {
			select {
			case g.reached <- struct{}{}:
			default:
			}
			<-g.open
		}
		return nil
	})
	s, err := Open("/data/offsets", Options{FS: h})
	require.NoError(t, err)
	t.Cleanup(func() {
		g.release()
		s.Close()
	})
	g.armed.Store(true)
	return s, g
}

// syncGate holds fsyncs back until released.
type syncGate struct {
	armed   atomic.Bool
	open    chan struct{}
	reached chan struct{} // an fsync is waiting
	once    sync.Once
}

func (g *syncGate) release() { g.once.Do(func() { close(g.open) }) }

// waitReached waits until an fsync is held at the gate.
func (g *syncGate) waitReached(t *testing.T) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(5 * time.Second):
		t.Fatal("no fsync reached the gate")
	}
}

// TestCommitContext checks what a commit's context bounds: an ended
// context commits nothing; one that ends while the round's fsync is under
// way returns at once, and the commit still becomes durable.
func TestCommitContext(t *testing.T) {
	s, gate := gatedStore(t)
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, s.Commit(ended, "g", Commit{Topic: "t", Offset: 1}), context.Canceled)
	require.ErrorIs(t, s.DeleteGroup(ended, "g"), context.Canceled)
	require.NoError(t, s.Settle(t.Context()))
	_, ok := s.Committed("g", "t", 0)
	require.False(t, ok, "a commit whose context had ended commits nothing")

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Commit(ctx, "g", Commit{Topic: "t", Offset: 7}) }()
	gate.waitReached(t)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Commit went on waiting after its context ended")
	}
	short, stop := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer stop()
	require.ErrorIs(t, s.Settle(short), context.DeadlineExceeded, "the fsync is still held")

	gate.release()
	require.NoError(t, s.Settle(t.Context()))
	c, ok := s.Committed("g", "t", 0)
	require.True(t, ok, "the commit became durable after its caller stopped waiting")
	require.Equal(t, int64(7), c.Offset)
}

// TestDeleteCoversQueuedCommits queues a commit whose round is held at its
// fsync, then deletes its topic or its group: a deletion applies to every
// commit queued before it, written or not, so none outlives it.
func TestDeleteCoversQueuedCommits(t *testing.T) {
	for _, del := range []struct {
		name string
		fn   func(context.Context, *Store) error
	}{
		{"topic", func(ctx context.Context, s *Store) error { return s.DeleteTopic(ctx, "t") }},
		{"group", func(ctx context.Context, s *Store) error { return s.DeleteGroup(ctx, "g") }},
		{"keep", func(ctx context.Context, s *Store) error {
			return s.KeepTopics(ctx, func(topic string) bool { return topic != "t" })
		}},
	} {
		t.Run(del.name, func(t *testing.T) {
			s, gate := gatedStore(t)
			p, err := s.Queue("g", Commit{Topic: "t", Offset: 3})
			require.NoError(t, err)
			gate.waitReached(t)
			// The deletion waits behind the held round; its caller stops
			// waiting, and the deletion goes on.
			short, stop := context.WithTimeout(t.Context(), 10*time.Millisecond)
			defer stop()
			require.ErrorIs(t, del.fn(short, s), context.DeadlineExceeded)
			gate.release()
			require.NoError(t, p.Wait(t.Context()))
			require.NoError(t, s.Settle(t.Context()))
			_, ok := s.Committed("g", "t", 0)
			require.False(t, ok, "the queued commit outlived the deletion queued after it")
		})
	}
}

// TestCheckAgreesWithQueue: Check refuses exactly what Queue refuses, and
// queues nothing itself.
func TestCheckAgreesWithQueue(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cases := []struct {
		group string
		c     Commit
		want  error
	}{
		{"g", Commit{Topic: "t", Partition: 0, Offset: 1}, nil},
		{"", Commit{Topic: "t", Offset: 1}, ErrInvalidGroup},
		{"g", Commit{Topic: "", Offset: 1}, ErrInvalidTopic},
		{"g", Commit{Topic: "t", Partition: -1}, ErrInvalidPartition},
		{"g", Commit{Topic: "t", Offset: -2}, ErrInvalidOffset},
		{"g", Commit{Topic: "t", Metadata: string(make([]byte, MaxMetadata+1))}, ErrMetadataTooLarge},
	}
	for _, c := range cases {
		checked := Check(c.group, c.c)
		_, queued := s.Queue(c.group, c.c)
		if !errors.Is(checked, c.want) || !errors.Is(queued, c.want) || (c.want == nil) != (checked == nil) {
			t.Errorf("%q %+v: Check %v, Queue %v, want %v", c.group, c.c, checked, queued, c.want)
		}
	}
}
