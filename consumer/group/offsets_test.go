package group

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
)

// TestCommitRefusesUnknownPartitions commits, as an administrator does,
// to partitions the registry does not have: the call commits nothing, not
// even its valid part.
func TestCommitRefusesUnknownPartitions(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create("t", topic.Config{Partitions: 2})
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
		err := groups.Commit("g", offsets.Commit{Topic: "t", Offset: 1}, tc.commit)
		require.ErrorIs(t, err, tc.want, "%+v", tc.commit)
	}
	require.ErrorIs(t, groups.Commit("", offsets.Commit{Topic: "t"}), ErrInvalidGroup)
	require.Empty(t, groups.Groups())
	require.NoError(t, r.Close())
	require.ErrorIs(t, groups.Commit("g", offsets.Commit{Topic: "t"}), ErrClosed, "the registry's Close closes the coordinator")
}

// TestDeletingATopicDeletesItsOffsets deletes a topic with committed
// offsets: they go with it, through the registry's hook, and a crash
// between the topic's files going and its offsets' is finished by the
// next Open of a coordinator.
func TestDeletingATopicDeletesItsOffsets(t *testing.T) {
	m, r := memRegistry(t)
	groups := groupsOf(t, r)
	for _, name := range []string{"a", "b"} {
		_, err := r.Create(name, topic.Config{})
		require.NoError(t, err)
		require.NoError(t, groups.Commit("g", offsets.Commit{Topic: name, Offset: 5}))
	}
	require.NoError(t, r.Delete("a"))
	_, ok := groups.Committed("g", "a", 0)
	require.False(t, ok)
	_, err := r.Create("a", topic.Config{})
	require.NoError(t, err)
	_, ok = groups.Committed("g", "a", 0)
	require.False(t, ok, "a topic created again starts without offsets")
	_, ok = groups.Committed("g", "b", 0)
	require.True(t, ok)

	// A crash after a topic's files went but before its offsets did:
	// opening a coordinator forgets offsets of topics that do not exist.
	require.NoError(t, groups.Commit("g", offsets.Commit{Topic: "b", Offset: 6}))
	require.NoError(t, r.Close())
	require.NoError(t, m.Remove("/data/b.topic"))
	require.NoError(t, m.RemoveAll("/data/b-0"))
	r, err = topic.Open("/data", topic.Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	require.Empty(t, groupsOf(t, r).Offsets().Group("g"))
}
