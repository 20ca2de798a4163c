package group

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

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// groupClock is a registry clock that moves only when a test moves it,
// so that sessions expire exactly when the test says.
type groupClock struct{ ns atomic.Int64 }

// Now is the clock's time.
func (c *groupClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Add moves the clock on by d.
func (c *groupClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// clockRegistry opens an in-memory registry on a clock of its own, with
// a topic t of parts partitions holding n records each.
func clockRegistry(t *testing.T, parts, n int) (*topic.Registry, *groupClock) {
	t.Helper()
	clock := &groupClock{}
	clock.ns.Store(time.Unix(1_700_000_000, 0).UnixNano())
	r, err := topic.Open("/data", topic.Options{FS: vfs.NewMem(), RetentionCheckInterval: -1, Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	_, err = r.Create(t.Context(), "t", topic.Config{Partitions: int32(parts)})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	for p := range parts {
		produceN(t, prod, "t", int32(p), p*n, n, clock.Now())
	}
	return r, clock
}

// pollN polls n records and returns the first one's offset.
func pollN(t *testing.T, m *Member, n int) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	first := int64(-1)
	for i := range n {
		rec, err := m.Poll(ctx)
		require.NoError(t, err)
		if i == 0 {
			first = rec.Offset
		}
	}
	return first
}

// TestExpiredMemberCannotCommit has member A read to offset 60 and go
// quiet past its session; B takes the partition over and commits 20. A's
// late commit is refused, the committed offset stays B's, and a member
// that starts afresh reads from 20.
func TestExpiredMemberCannotCommit(t *testing.T) {
	r, clock := clockRegistry(t, 1, 100)
	opts := MemberOptions{Topics: []string{"t"}, SessionTimeout: 10 * time.Second, ManualCommit: true}
	tp := TopicPartition{Topic: "t", Partition: 0}

	a := joinGroup(t, r, "g", opts)
	pollN(t, a, 60)
	require.Equal(t, map[TopicPartition]int64{tp: 60}, a.Positions())
	clock.Add(opts.SessionTimeout + time.Second)

	b := joinGroup(t, r, "g", opts)
	require.Equal(t, int64(0), pollN(t, b, 20), "A committed nothing: B starts at the beginning")
	require.Equal(t, []TopicPartition{tp}, b.Assignment())
	require.NoError(t, b.Commit(t.Context()))

	err := a.Commit(t.Context())
	require.ErrorIs(t, err, ErrRebalanced)
	require.Equal(t, map[TopicPartition]offsets.Committed{tp: {Offset: 20, Time: clock.Now().Truncate(time.Millisecond)}},
		groupsOf(t, r).Offsets().Group("g"), "A's stale commit did not replace B's")
	require.ErrorIs(t, a.Commit(t.Context()), ErrRebalanced, "still refused")

	require.NoError(t, b.Close())
	restarted := joinGroup(t, r, "g", opts)
	require.Equal(t, int64(20), pollN(t, restarted, 1))
}

// TestExpiredMemberCloseCommitsNothing checks that an automatically
// committing member whose session lapsed commits nothing on Close, and
// that Close still succeeds; one that closes within its session commits.
func TestExpiredMemberCloseCommitsNothing(t *testing.T) {
	opts := MemberOptions{Topics: []string{"t"}, SessionTimeout: 10 * time.Second, AutoCommitInterval: time.Hour}
	tp := TopicPartition{Topic: "t", Partition: 0}

	t.Run("taken over", func(t *testing.T) {
		r, clock := clockRegistry(t, 1, 100)
		a := joinGroup(t, r, "g", opts)
		pollN(t, a, 60)
		clock.Add(opts.SessionTimeout + time.Second)
		b := joinGroup(t, r, "g", opts)
		require.Equal(t, int64(0), pollN(t, b, 20))
		require.NoError(t, b.Commit(t.Context()))

		require.NoError(t, a.Close())
		c, ok := groupsOf(t, r).Committed("g", "t", 0)
		require.True(t, ok)
		require.Equal(t, int64(20), c.Offset, "A's Close left B's commit alone")
		require.Equal(t, []TopicPartition{tp}, b.Assignment())
	})

	t.Run("no one noticed", func(t *testing.T) {
		r, clock := clockRegistry(t, 1, 100)
		a := joinGroup(t, r, "g", opts)
		pollN(t, a, 60)
		clock.Add(opts.SessionTimeout + time.Second)
		require.NoError(t, a.Close())
		_, ok := groupsOf(t, r).Committed("g", "t", 0)
		require.False(t, ok, "a member whose session lapsed commits nothing")
		restarted := joinGroup(t, r, "g", opts)
		require.Equal(t, int64(0), pollN(t, restarted, 1))
	})

	t.Run("in time", func(t *testing.T) {
		r, clock := clockRegistry(t, 1, 100)
		a := joinGroup(t, r, "g", opts)
		pollN(t, a, 60)
		clock.Add(opts.SessionTimeout - time.Second)
		require.NoError(t, a.Close())
		c, ok := groupsOf(t, r).Committed("g", "t", 0)
		require.True(t, ok)
		require.Equal(t, int64(60), c.Offset)
	})
}

// TestMemberCommitOffsetsIsAllOrNothing checks that a member commits the
// offsets it chose in partitions it holds, and that a commit naming one it
// does not hold is refused whole, as Kafka refuses an OffsetCommit of a
// stale generation.
func TestMemberCommitOffsetsIsAllOrNothing(t *testing.T) {
	r, _ := clockRegistry(t, 2, 10)
	opts := MemberOptions{Topics: []string{"t"}, ManualCommit: true}
	a := joinGroup(t, r, "g", opts)
	b := joinGroup(t, r, "g", opts)
	pollN(t, a, 1)
	pollN(t, b, 1)
	require.Equal(t, []TopicPartition{{Topic: "t", Partition: 0}}, a.Assignment())
	require.Equal(t, []TopicPartition{{Topic: "t", Partition: 1}}, b.Assignment())

	require.NoError(t, a.CommitOffsets(t.Context(), offsets.Commit{Topic: "t", Partition: 0, Offset: 5, Metadata: "handled"}))
	err := a.CommitOffsets(t.Context(), offsets.Commit{Topic: "t", Partition: 0, Offset: 7}, offsets.Commit{Topic: "t", Partition: 1, Offset: 3})
	require.ErrorIs(t, err, ErrRebalanced)
	committed := groupsOf(t, r).Offsets().Group("g")
	require.Len(t, committed, 1, "nothing of the refused commit in partition 1")
	require.Equal(t, int64(5), committed[TopicPartition{Topic: "t", Partition: 0}].Offset, "nor in partition 0")
	require.Equal(t, "handled", committed[TopicPartition{Topic: "t", Partition: 0}].Metadata)

	require.NoError(t, a.Close())
	require.ErrorIs(t, a.Commit(t.Context()), ErrClosed)
	require.ErrorIs(t, a.CommitOffsets(t.Context(), offsets.Commit{Topic: "t", Partition: 0, Offset: 6}), ErrClosed)
}

// checkOwnCommits checks, against the group's state, that in every
// partition m holds the group's committed offset is the one m last
// committed there or started from: no other member has committed there
// since m took it. It runs on m's goroutine.
func checkOwnCommits(m *Member) error {
	g := m.g
	g.mu.Lock()
	defer g.mu.Unlock()
	for tp, cur := range m.cursors {
		if g.holder[tp].hold != cur.hold {
			continue
		}
		c, ok := m.c.Committed(g.name, tp.Topic, tp.Partition)
		mine, had := m.committed[tp]
		if ok != had || c.Offset != mine {
			return fmt.Errorf("%v held by %s: committed %d (%v), but %s last committed or started from %d (%v)",
				tp, m.id, c.Offset, ok, m.id, mine, had)
		}
	}
	return nil
}

// TestRebalancesAndCommitsInterleave has members join, read, commit,
// stall and leave while a jumping clock expires those that stall: the
// committed offset of a partition only ever comes from the member that
// holds it, and a last member reading from the committed offsets finds
// every record that no member returned, so no commit skipped a record.
func TestRebalancesAndCommitsInterleave(t *testing.T) {
	const parts, perPart, workers = 3, 400, 6
	const session = time.Second
	r, clock := clockRegistry(t, parts, perPart)

	var mu sync.Mutex
	seen := map[string]bool{}
	var failures []string // the first few
	var failed int
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if failed++; len(failures) < 5 {
			failures = append(failures, err.Error())
		}
	}
	var refused atomic.Int64

	stopClock := make(chan struct{})
	var clockDone sync.WaitGroup
	clockDone.Go(func() {
		// A member away from Poll for a few jumps is expired.
		for {
			select {
			case <-stopClock:
				return
			case <-time.After(100 * time.Microsecond):
				clock.Add(session / 3)
			}
		}
	})

	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			opts := MemberOptions{Topics: []string{"t"}, Assignor: StickyAssignor{}, SessionTimeout: session,
				AutoCommitInterval: session / 3, ManualCommit: w%2 == 0}
			for time.Now().Before(deadline) {
				m, err := groupsOf(t, r).Join("g", opts)
				if err != nil {
					fail(err)
					return
				}
				for range 1 + rng.IntN(40) {
					ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
					rec, err := m.Poll(ctx)
					cancel()
					switch {
					case err == nil:
						mu.Lock()
						seen[string(rec.Value)] = true
						mu.Unlock()
					case !errors.Is(err, context.DeadlineExceeded):
						fail(err)
					}
					if rng.IntN(4) == 0 {
						time.Sleep(time.Duration(rng.IntN(4000)) * time.Microsecond) // long enough to expire, at times
					}
					if err := checkOwnCommits(m); err != nil {
						fail(err)
					}
					switch err := m.Commit(t.Context()); {
					case errors.Is(err, ErrRebalanced):
						refused.Add(1)
					case err != nil:
						fail(err)
					}
					if err := checkOwnCommits(m); err != nil {
						fail(err)
					}
				}
				if err := m.Close(); err != nil {
					fail(err)
				}
			}
		})
	}
	wg.Wait()
	close(stopClock)
	clockDone.Wait()
	require.Zero(t, failed, "first failures: %q", failures)
	require.Positive(t, refused.Load(), "some commits came after their member's expiry")

	last := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}, ManualCommit: true})
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		rec, err := last.Poll(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		require.NoError(t, err)
		seen[string(rec.Value)] = true
	}
	require.Len(t, seen, parts*perPart, "every record was returned at least once")
}
