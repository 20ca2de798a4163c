package group

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestRecreatedTopicDoesNotInheritOffsets deletes a topic and creates it
// again under the same name while no coordinator is open: the next
// coordinator must not hand the old topic's offsets to the new one, and
// must keep the offsets of a topic left alone.
func TestRecreatedTopicDoesNotInheritOffsets(t *testing.T) {
	ctx := context.Background()
	mem := vfs.NewMem()
	open := func() *topic.Registry {
		t.Helper()
		r, err := topic.Open("/data", topic.Options{FS: mem, RetentionCheckInterval: -1})
		require.NoError(t, err)
		return r
	}
	r := open()
	for _, name := range []string{"orders", "kept"} {
		_, err := r.Create(ctx, name, topic.Config{Partitions: 1})
		require.NoError(t, err)
	}
	c, err := Open(r, Options{})
	require.NoError(t, err)
	require.NoError(t, c.Commit(ctx, "g",
		offsets.Commit{Topic: "orders", Partition: 0, Offset: 7},
		offsets.Commit{Topic: "kept", Partition: 0, Offset: 3}))
	require.NoError(t, c.Close())

	// No coordinator is open now: the deletion cannot clear the offsets.
	require.NoError(t, r.Delete(ctx, "orders"))
	_, err = r.Create(ctx, "orders", topic.Config{Partitions: 1})
	require.NoError(t, err)
	require.NoError(t, r.Close())

	r = open()
	defer r.Close()
	logger, rec := logcapture.New()
	c, err = Open(r, Options{Logger: logger})
	require.NoError(t, err)
	_, ok := c.Committed("g", "orders", 0)
	require.False(t, ok, "the new orders must not start at the old one's offset")
	kept, ok := c.Committed("g", "kept", 0)
	require.True(t, ok)
	require.Equal(t, int64(3), kept.Offset)
	lines := rec.Find("offsets of an earlier topic of the same name forgotten")
	require.Len(t, lines, 1, rec.Dump())
	require.Equal(t, "orders", lines[0].String("topic"))

	// Commits to the new incarnation are remembered as its own: a reopen
	// keeps them.
	require.NoError(t, c.Commit(ctx, "g", offsets.Commit{Topic: "orders", Partition: 0, Offset: 1}))
	require.NoError(t, c.Close())
	c, err = Open(r, Options{})
	require.NoError(t, err)
	got, ok := c.Committed("g", "orders", 0)
	require.True(t, ok)
	require.Equal(t, int64(1), got.Offset)
}

// TestMemberCommitRemembersIncarnation: a member's first commit to a topic
// records the topic's ID before the offset lands, so that a crash right
// after it still lets the next coordinator tell incarnations apart.
func TestMemberCommitRemembersIncarnation(t *testing.T) {
	ctx := context.Background()
	mem, r := memRegistry(t)
	tp, err := r.Create(ctx, "t", topic.Config{Partitions: 1})
	require.NoError(t, err)
	produceN(t, mustProducer(t, r, producer.Options{}), "t", 0, 0, 3, r.Now())
	c := groupsOf(t, r)
	m, err := c.Join("g", MemberOptions{Topics: []string{"t"}})
	require.NoError(t, err)
	defer m.Close()
	_, err = m.Poll(ctx)
	require.NoError(t, err)
	require.NoError(t, m.Commit(ctx))

	inc, err := loadIncarnations(mem, filepath.Join(r.Dir(), offsets.DirName))
	require.NoError(t, err)
	require.Equal(t, tp.ID(), inc.ids["t"])
}

func TestBadIncarnationsFileIsAnError(t *testing.T) {
	mem := vfs.NewMem()
	dir := "/data/" + offsets.DirName
	require.NoError(t, vfs.MkdirAllSynced(mem, dir))
	require.NoError(t, vfs.WriteFileAtomic(mem, filepath.Join(dir, incarnationsFile), []byte(`{"version":1,"topics":{"t":"not an id"}}`)))
	_, err := loadIncarnations(mem, dir)
	require.ErrorIs(t, err, offsets.ErrBadOffsets)
	require.NoError(t, vfs.WriteFileAtomic(mem, filepath.Join(dir, incarnationsFile), []byte(`{"version":9}`)))
	_, err = loadIncarnations(mem, dir)
	require.ErrorIs(t, err, offsets.ErrBadOffsets)
}
