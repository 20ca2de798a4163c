package group

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

// callbackLog records a member's rebalance callbacks as lines.
type callbackLog struct {
	lines []string
}

// options returns member options whose callbacks record to l under name;
// in each it runs check, if set, on the callback's context and partitions.
func (l *callbackLog) options(name string, check func(kind string, ctx context.Context, tps []TopicPartition)) MemberOptions {
	record := func(kind string) func(context.Context, []TopicPartition) {
		return func(ctx context.Context, tps []TopicPartition) {
			l.lines = append(l.lines, fmt.Sprintf("%s %s %v", name, kind, tps))
			if check != nil {
				check(kind, ctx, tps)
			}
		}
	}
	return MemberOptions{Topics: []string{"t"}, OnAssigned: record("assigned"), OnRevoked: record("revoked"), OnLost: record("lost")}
}

type ctxKey struct{}

// TestRebalanceCallbacks moves a partition from one member to another and
// back: OnAssigned runs once the member can read its new partitions,
// OnRevoked while it still holds the ones it gives up, after their
// positions were committed automatically, and both with the context of
// the Poll they run in. Inside them the member commits, and cannot poll
// or close.
func TestRebalanceCallbacks(t *testing.T) {
	r, _ := clockRegistry(t, 2, 10)
	c := groupsOf(t, r)
	var log callbackLog
	var a *Member
	var inside []error
	check := func(kind string, ctx context.Context, tps []TopicPartition) {
		if a != nil && a.closing.Load() {
			return // Close's callbacks have a context of their own
		}
		if ctx.Value(ctxKey{}) == nil {
			inside = append(inside, fmt.Errorf("%s: not the context of the call it runs in", kind))
		}
		if a == nil || kind != "revoked" || tps[0].Partition != 1 {
			return
		}
		committed, ok := c.Committed("g", "t", 1)
		if !ok || committed.Offset != 2 {
			inside = append(inside, fmt.Errorf("in OnRevoked, committed %v, %v; want 2", committed, ok))
		}
		if _, err := a.Poll(ctx); !errors.Is(err, ErrInCallback) {
			inside = append(inside, fmt.Errorf("Poll in a callback: %v", err))
		}
		if _, err := a.PollBatch(ctx, 5); !errors.Is(err, ErrInCallback) {
			inside = append(inside, fmt.Errorf("PollBatch in a callback: %v", err))
		}
		if err := a.Close(); !errors.Is(err, ErrInCallback) {
			inside = append(inside, fmt.Errorf("Close in a callback: %v", err))
		}
		if got := a.Assignment(); len(got) != 2 {
			inside = append(inside, fmt.Errorf("Assignment in OnRevoked: %v, want both partitions still", got))
		}
		if err := a.CommitOffsets(ctx, offsets.Commit{Topic: "t", Partition: 1, Offset: 2, Metadata: "revoked"}); err != nil {
			inside = append(inside, fmt.Errorf("CommitOffsets in OnRevoked: %v", err))
		}
	}
	ctx, cancel := context.WithTimeout(context.WithValue(t.Context(), ctxKey{}, true), 5*time.Second)
	defer cancel()
	a = joinGroup(t, r, "g", log.options("a", check))
	for range 12 { // all of partition 0, then 2 of partition 1
		_, err := a.Poll(ctx)
		require.NoError(t, err)
	}
	b := joinGroup(t, r, "g", log.options("b", nil))
	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop()
	_, err := a.Poll(short) // gives partition 1 up, then finds nothing more
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, []TopicPartition{{Topic: "t", Partition: 0}}, a.Assignment())
	committed, _ := c.Committed("g", "t", 1)
	require.Equal(t, "revoked", committed.Metadata, "the callback's own commit")

	rec, err := b.Poll(ctx)
	require.NoError(t, err)
	require.Equal(t, "v12", string(rec.Value), "b starts where a's commit says")
	require.NoError(t, b.Close())
	rec, err = a.Poll(ctx)
	require.NoError(t, err)
	require.Equal(t, "v13", string(rec.Value), "a takes partition 1 back after b's commit")

	require.Empty(t, inside)
	require.Equal(t, []string{
		"a assigned [{t 0} {t 1}]",
		"a revoked [{t 1}]",
		"b assigned [{t 1}]",
		"b revoked [{t 1}]", // by Close
		"a assigned [{t 1}]",
	}, log.lines)
}

// TestIdleMemberLosesMovedPartitions has a member read both partitions
// and stay away from Poll past its rebalance timeout, within its session:
// a new member gets its share at its first Poll, without the old one
// polling, and from the last commit; the old one's commits naming the
// partition are refused, and its next Poll drops it (OnLost) without
// returning any of its records.
func TestIdleMemberLosesMovedPartitions(t *testing.T) {
	r, clock := clockRegistry(t, 2, 10)
	var log callbackLog
	a := joinGroup(t, r, "g", log.options("a", nil))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for range 12 {
		_, err := a.Poll(ctx)
		require.NoError(t, err)
	}
	require.NoError(t, a.Commit(ctx))
	for range 3 { // partition 1 at 5, committed at 2
		_, err := a.Poll(ctx)
		require.NoError(t, err)
	}
	clock.Add(DefaultRebalanceTimeout + time.Second)

	b := joinGroup(t, r, "g", log.options("b", nil))
	// The clock stands still: only a's being away can let b in.
	first, stop := context.WithTimeout(ctx, time.Second)
	defer stop()
	rec, err := b.Poll(first)
	require.NoError(t, err, "the new member waited for the idle one")
	require.Equal(t, int32(1), rec.Partition)
	require.Equal(t, int64(2), rec.Offset, "from a's last commit: what a returned since is read again")

	require.ErrorIs(t, a.Commit(ctx), ErrRebalanced, "partition 1 is b's")
	require.NoError(t, a.CommitOffsets(ctx, offsets.Commit{Topic: "t", Partition: 0, Offset: 10}), "partition 0 is still a's")
	short, stop2 := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop2()
	_, err = a.Poll(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a returns nothing of partition 1 any more")
	require.Equal(t, []TopicPartition{{Topic: "t", Partition: 0}}, a.Assignment())
	require.Equal(t, []string{"a assigned [{t 0} {t 1}]", "b assigned [{t 1}]", "a lost [{t 1}]"}, log.lines)
	require.NoError(t, a.Commit(ctx))
}

// TestRebalanceWaitsForPollingMember checks the two ends of the rebalance
// timeout with a real clock: a member that comes back to Poll within it
// gives its partition up itself (OnRevoked), and the new member is
// served then; one that does not loses it once the timeout has passed
// since its last Poll, with no Poll of its own.
func TestRebalanceWaitsForPollingMember(t *testing.T) {
	for _, comesBack := range []bool{true, false} {
		t.Run(fmt.Sprintf("comes back %v", comesBack), func(t *testing.T) {
			_, r := memRegistry(t)
			_, err := r.Create(t.Context(), "t", topic.Config{Partitions: 2})
			require.NoError(t, err)
			prod := mustProducer(t, r, producer.Options{})
			produceN(t, prod, "t", 1, 0, 3, time.Now())
			timeout := 100 * time.Millisecond
			if comesBack {
				timeout = time.Minute
			}
			var log callbackLog
			opts := log.options("a", nil)
			opts.RebalanceTimeout = timeout
			a := joinGroup(t, r, "g", opts)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err = a.Poll(ctx)
			require.NoError(t, err)

			b := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}})
			got := make(chan error, 1)
			start := time.Now()
			go func() {
				_, err := b.Poll(ctx)
				got <- err
			}()
			if comesBack {
				short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
				defer stop()
				_, err := a.Poll(short)
				require.ErrorIs(t, err, context.DeadlineExceeded, "a gives partition 1 up and has nothing else")
			}
			require.NoError(t, <-got)
			if comesBack {
				require.Equal(t, []string{"a assigned [{t 0} {t 1}]", "a revoked [{t 1}]"}, log.lines)
			} else {
				require.GreaterOrEqual(t, time.Since(start), timeout/2, "b did not wait for a's rebalance timeout")
				short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
				defer stop()
				_, err := a.Poll(short)
				require.ErrorIs(t, err, context.DeadlineExceeded)
				require.Equal(t, []string{"a assigned [{t 0} {t 1}]", "a lost [{t 1}]"}, log.lines)
			}
		})
	}
}
