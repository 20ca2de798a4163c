package group

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

// TestCommitRefusesUnknownPartitions commits, as an administrator does,
// to partitions the registry does not have: the call commits nothing, not
// even its valid part.
func TestCommitRefusesUnknownPartitions(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	groups := groupsOf(t, r)
	for _, tc := range []struct {
		commit offsets.Commit
		want   error
	}{
		{offsets.Commit{Topic: "nope"}, topic.ErrUnknownTopic},
		{offsets.Commit{Topic: "t", Partition: 2}, topic.ErrUnknownPartition},
		{offsets.Commit{Topic: "t", Partition: -1}, topic.ErrUnknownPartition},
		{offsets.Commit{Topic: "t", Offset: -1}, offsets.ErrInvalidOffset},
	} {
		err := groups.Commit(t.Context(), "g", offsets.Commit{Topic: "t", Offset: 1}, tc.commit)
		require.ErrorIs(t, err, tc.want, "%+v", tc.commit)
	}
	require.ErrorIs(t, groups.Commit(t.Context(), "", offsets.Commit{Topic: "t"}), ErrInvalidGroup)
	require.Empty(t, groups.Groups())
	require.NoError(t, r.Close())
	require.ErrorIs(t, groups.Commit(t.Context(), "g", offsets.Commit{Topic: "t"}), ErrClosed, "the registry's Close closes the coordinator")
}

// TestDeletingATopicDeletesItsOffsets deletes a topic with committed
// offsets: they go with it, through the registry's hook, and a crash
// between the topic's files going and its offsets' is finished by the
// next Open of a coordinator.
func TestDeletingATopicDeletesItsOffsets(t *testing.T) {
	m, r := memRegistry(t)
	groups := groupsOf(t, r)
	for _, name := range []string{"a", "b"} {
		_, err := r.Create(t.Context(), name, topic.Config{})
		require.NoError(t, err)
		require.NoError(t, groups.Commit(t.Context(), "g", offsets.Commit{Topic: name, Offset: 5}))
	}
	require.NoError(t, r.Delete(t.Context(), "a"))
	_, ok := groups.Committed("g", "a", 0)
	require.False(t, ok)
	_, err := r.Create(t.Context(), "a", topic.Config{})
	require.NoError(t, err)
	_, ok = groups.Committed("g", "a", 0)
	require.False(t, ok, "a topic created again starts without offsets")
	_, ok = groups.Committed("g", "b", 0)
	require.True(t, ok)

	// A crash after a topic's files went but before its offsets did:
	// opening a coordinator forgets offsets of topics that do not exist.
	require.NoError(t, groups.Commit(t.Context(), "g", offsets.Commit{Topic: "b", Offset: 6}))
	require.NoError(t, r.Close())
	require.NoError(t, m.Remove("/data/b.topic"))
	require.NoError(t, m.RemoveAll("/data/b-0"))
	r, err = topic.Open("/data", topic.Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	require.Empty(t, groupsOf(t, r).Offsets().Group("g"))
}

// TestDeleteTopicWhileCommitting deletes a topic while an administrator
// and a member commit offsets in it: whatever the interleaving, no commit
// outlives the deletion, and a topic created again under the name starts
// without offsets.
func TestDeleteTopicWhileCommitting(t *testing.T) {
	_, r := memRegistry(t)
	groups := groupsOf(t, r)
	for round := range 20 {
		_, err := r.Create(t.Context(), "t", topic.Config{})
		require.NoError(t, err)
		prod := mustProducer(t, r, producer.Options{})
		produceN(t, prod, "t", 0, 0, 50, time.Now())
		m := joinGroup(t, r, "m", MemberOptions{Topics: []string{"t"}, ManualCommit: true})
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		var wg sync.WaitGroup
		started := make(chan struct{}, 2)
		wg.Go(func() {
			for i := int64(1); ; i++ {
				if err := groups.Commit(ctx, "admin", offsets.Commit{Topic: "t", Offset: i}); err != nil {
					return
				}
				if i == int64(1+round%3) {
					started <- struct{}{}
				}
			}
		})
		wg.Go(func() {
			for i := range 50 {
				if _, err := m.Poll(ctx); err != nil {
					return
				}
				if err := m.Commit(ctx); err != nil {
					return
				}
				if i == round%3 {
					started <- struct{}{}
				}
			}
		})
		for range 2 {
			select {
			case <-started:
			case <-ctx.Done():
				t.Fatal("the commits did not begin")
			}
		}
		require.NoError(t, r.Delete(t.Context(), "t"))
		cancel() // the member waits for a topic that is gone
		wg.Wait()
		require.NoError(t, m.Close())
		require.Empty(t, groups.Offsets().Group("admin"), "round %d", round)
		require.Empty(t, groups.Offsets().Group("m"), "round %d", round)
	}
}
