package group

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

func partitionsOf(topics map[string]int) []TopicPartition {
	var out []TopicPartition
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range topics {
			if !yield(k) {
				return
			}
		}
	}) {
		for i := range topics[name] {
			out = append(out, TopicPartition{Topic: name, Partition: int32(i)})
		}
	}
	return out
}

func checkAssignment(t *testing.T, members []string, parts []TopicPartition, got map[string][]TopicPartition) {
	t.Helper()
	seen := map[TopicPartition]string{}
	for _, m := range members {
		for _, tp := range got[m] {
			require.Empty(t, seen[tp], "%v assigned to %s and %s", tp, seen[tp], m)
			seen[tp] = m
		}
	}
	require.Len(t, seen, len(parts), "every partition assigned")
	require.Len(t, got, len(members))
}

func TestAssignors(t *testing.T) {
	parts := partitionsOf(map[string]int{"a": 5, "b": 3})
	members := []string{"m1", "m2", "m3"}
	for _, a := range []Assignor{RangeAssignor{}, RoundRobinAssignor{}, StickyAssignor{}} {
		t.Run(a.Name(), func(t *testing.T) {
			got := a.Assign(members, parts, nil)
			checkAssignment(t, members, parts, got)
			for n := 1; n <= 10; n++ {
				ms := make([]string, n)
				for i := range ms {
					ms[i] = fmt.Sprintf("m%02d", i)
				}
				checkAssignment(t, ms, parts, a.Assign(ms, parts, nil))
			}
		})
	}
	// Range: per topic, consecutive, the first members one more.
	require.Equal(t, map[string][]TopicPartition{
		"m1": {{Topic: "a", Partition: 0}, {Topic: "a", Partition: 1}, {Topic: "b", Partition: 0}},
		"m2": {{Topic: "a", Partition: 2}, {Topic: "a", Partition: 3}, {Topic: "b", Partition: 1}},
		"m3": {{Topic: "a", Partition: 4}, {Topic: "b", Partition: 2}},
	}, RangeAssignor{}.Assign(members, parts, nil))
	// Round-robin: dealt in turn.
	require.Equal(t, []TopicPartition{{Topic: "a", Partition: 0}, {Topic: "a", Partition: 3}, {Topic: "b", Partition: 1}}, RoundRobinAssignor{}.Assign(members, parts, nil)["m1"])
}

// TestStickyMovesLittle checks that the sticky assignor stays balanced and
// moves only what balance needs when members come and go.
func TestStickyMovesLittle(t *testing.T) {
	parts := partitionsOf(map[string]int{"a": 12, "b": 12})
	rng := rand.New(rand.NewPCG(4, 5))
	members := []string{"m0", "m1", "m2"}
	prev := StickyAssignor{}.Assign(members, parts, nil)
	next := 3
	for range 50 {
		if len(members) > 1 && rng.IntN(2) == 0 {
			i := rng.IntN(len(members))
			members = slices.Delete(slices.Clone(members), i, i+1)
		} else {
			members = append(slices.Clone(members), fmt.Sprintf("m%d", next))
			next++
		}
		slices.Sort(members)
		got := StickyAssignor{}.Assign(members, parts, prev)
		checkAssignment(t, members, parts, got)
		minN, maxN := len(parts), 0
		kept := 0
		for _, m := range members {
			minN, maxN = min(minN, len(got[m])), max(maxN, len(got[m]))
			for _, tp := range got[m] {
				if slices.Contains(prev[m], tp) {
					kept++
				}
			}
		}
		require.LessOrEqual(t, maxN-minN, 1, "balanced")
		// A partition moves only if its owner left or had more than its
		// share; at least the smaller of what stayed and a share each
		// is kept.
		stayed := 0
		for _, m := range members {
			stayed += min(len(prev[m]), len(parts)/len(members))
		}
		require.GreaterOrEqual(t, kept, stayed, "members %v", members)
		prev = got
	}
}

func joinGroup(t *testing.T, r *topic.Registry, group string, opts MemberOptions) *Member {
	t.Helper()
	m, err := groupsOf(t, r).Join(group, opts)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m
}

func TestGroupSharesPartitionsAndGroupsAreIndependent(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{Partitions: 4})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	for p := range int32(4) {
		produceN(t, prod, "t", p, int(p)*10, 10, time.Now())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	a := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}})
	b := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}})
	other := joinGroup(t, r, "h", MemberOptions{Topics: []string{"t"}})
	_, err = groupsOf(t, r).Join("g", MemberOptions{Topics: []string{"t", "u"}})
	require.Error(t, err)

	seen := map[string]string{}
	for range 40 {
		for _, m := range []*Member{a, b} {
			rec, err := m.Poll(ctx)
			require.NoError(t, err)
			v := string(rec.Value)
			require.Empty(t, seen[v], "%s read by %s and %s", v, seen[v], m.ID())
			seen[v] = m.ID()
			if len(seen) == 40 {
				break
			}
		}
		if len(seen) == 40 {
			break
		}
	}
	require.Len(t, seen, 40)
	require.Len(t, a.Assignment(), 2)
	require.Len(t, b.Assignment(), 2)
	for range 40 {
		_, err := other.Poll(ctx)
		require.NoError(t, err, "another group reads every record too")
	}

	d := describeGroup(t, r, "g")
	require.Equal(t, "range", d.Strategy)
	require.Len(t, d.Members, 2)
	require.NoError(t, a.Commit(t.Context()))
	require.NoError(t, b.Commit(t.Context()))
	d = describeGroup(t, r, "g")
	require.Len(t, d.Partitions, 4)
	for _, gp := range d.Partitions {
		require.Equal(t, int64(10), gp.Committed.Offset)
		require.Equal(t, int64(0), gp.Lag)
	}
	produceN(t, prod, "t", 2, 99, 3, time.Now())
	for _, gp := range describeGroup(t, r, "g").Partitions {
		if gp.Partition == 2 {
			require.Equal(t, int64(3), gp.Lag)
		}
	}
}

// TestRebalanceUnderLoad produces while members join and leave: with
// automatic commits, no record is returned by two members, and once the
// last member drains the topic every record has been returned.
func TestRebalanceUnderLoad(t *testing.T) {
	_, r := memRegistry(t)
	const parts, total = 6, 6000
	_, err := r.Create(t.Context(), "t", topic.Config{Partitions: parts})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var mu sync.Mutex
	seen := map[string]string{}
	record := func(m *Member, rec *consumer.Record) {
		mu.Lock()
		defer mu.Unlock()
		v := string(rec.Value)
		if prev, dup := seen[v]; dup {
			t.Errorf("%s returned by %s and by %s", v, prev, m.ID())
		}
		seen[v] = m.ID()
	}
	opts := MemberOptions{Topics: []string{"t"}, Assignor: StickyAssignor{}, AutoCommitInterval: 5 * time.Millisecond}

	go func() {
		for i := range total {
			prod.ProduceAsync(ctx, producer.Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", i%97), Value: fmt.Appendf(nil, "v%d", i)}, nil)
			if i%500 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
		prod.Flush(ctx)
	}()

	// Members come and go, each reading for a while.
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			time.Sleep(time.Duration(w*7) * time.Millisecond)
			m, err := groupsOf(t, r).Join("g", opts)
			if err != nil {
				t.Error(err)
				return
			}
			short, stop := context.WithTimeout(ctx, time.Duration(20+w*10)*time.Millisecond)
			defer stop()
			for {
				rec, err := m.Poll(short)
				if err != nil {
					break
				}
				record(m, rec)
			}
			if err := m.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	last := joinGroup(t, r, "g", opts)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n == total {
			break
		}
		rec, err := last.Poll(ctx)
		require.NoError(t, err, "%d of %d records seen", n, total)
		record(last, rec)
	}
	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop()
	_, err = last.Poll(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "nothing left to read")
	require.Len(t, last.Assignment(), parts, "the only member left reads every partition")
}

func TestSessionTimeoutMovesPartitions(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	produceN(t, prod, "t", 0, 0, 3, time.Now())
	produceN(t, prod, "t", 1, 3, 3, time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := MemberOptions{Topics: []string{"t"}, SessionTimeout: 50 * time.Millisecond, ManualCommit: true}

	silent := joinGroup(t, r, "g", opts)
	_, err = silent.Poll(ctx) // takes both partitions, reads one record, then goes quiet
	require.NoError(t, err)
	active := joinGroup(t, r, "g", opts)
	got := map[string]bool{}
	for len(got) < 6 {
		rec, err := active.Poll(ctx)
		require.NoError(t, err)
		got[string(rec.Value)] = true
	}
	require.Len(t, active.Assignment(), 2, "the silent member's partitions came over")
	require.Len(t, describeGroup(t, r, "g").Members, 1)

	// The silent member comes back and joins again.
	back, err := silent.Poll(ctx)
	_ = back
	require.NoError(t, err)
}

func TestManualCommitIsAtLeastOnce(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	produceN(t, prod, "t", 0, 0, 6, time.Now())
	ctx := context.Background()
	opts := MemberOptions{Topics: []string{"t"}, ManualCommit: true}

	m := joinGroup(t, r, "g", opts)
	for range 2 {
		_, err := m.Poll(ctx)
		require.NoError(t, err)
	}
	require.Equal(t, map[TopicPartition]int64{{Topic: "t", Partition: 0}: 2}, m.Positions())
	require.NoError(t, m.Commit(t.Context()))
	_, err = m.Poll(ctx) // read, never committed
	require.NoError(t, err)
	require.NoError(t, m.Close())

	m2 := joinGroup(t, r, "g", opts)
	rec, err := m2.Poll(ctx)
	require.NoError(t, err)
	require.Equal(t, "v2", string(rec.Value), "the uncommitted record is read again")
}

// TestGroupWhoseTopicIsDeleted deletes a topic a member reads: the member
// loses its partitions (OnLost), commits naming them are refused, nothing
// of the topic stays committed, and the member reads the topic again from
// its start once it is created again.
func TestGroupWhoseTopicIsDeleted(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "u", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	produceN(t, prod, "t", 0, 0, 3, time.Now())
	var lost [][]TopicPartition
	m := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}, ManualCommit: true,
		OnLost: func(_ context.Context, tps []TopicPartition) { lost = append(lost, tps) }})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	pollN(t, m, 2)
	require.NoError(t, r.Delete(t.Context(), "t"))

	require.ErrorIs(t, m.Commit(ctx), ErrRebalanced, "the deleted topic's partition is no longer the member's")
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	_, err = m.Poll(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a deleted topic is no error: it has no partitions")
	require.Equal(t, [][]TopicPartition{{{Topic: "t", Partition: 0}}}, lost)
	require.Empty(t, m.Assignment())
	require.NoError(t, m.Commit(ctx))
	_, ok := groupsOf(t, r).Committed("g", "t", 0)
	require.False(t, ok)

	_, err = r.Create(t.Context(), "t", topic.Config{})
	require.NoError(t, err)
	produceN(t, prod, "t", 0, 10, 1, time.Now())
	rec, err := m.Poll(ctx)
	require.NoError(t, err)
	require.Equal(t, "v10", string(rec.Value), "the topic created again is read from its start")
	require.NoError(t, m.Close())

	// The group is empty again and takes members of another topic.
	other := joinGroup(t, r, "g", MemberOptions{Topics: []string{"u"}})
	require.Len(t, describeGroup(t, r, "g").Members, 1)
	require.NoError(t, other.Close())
}
