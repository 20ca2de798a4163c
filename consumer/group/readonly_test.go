package group

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// treeContents returns every file below dir, by path, with its bytes.
func treeContents(t *testing.T, fsys vfs.FS, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var walk func(dir string)
	walk = func(dir string) {
		names, err := fsys.List(dir)
		require.NoError(t, err)
		for _, name := range names {
			path := filepath.Join(dir, name)
			info, err := fsys.Stat(path)
			require.NoError(t, err)
			if info.IsDir() {
				out[path+"/"] = nil
				walk(path)
				continue
			}
			data, err := vfs.ReadFile(fsys, path, 1<<30)
			require.NoError(t, err)
			out[path] = data
		}
	}
	walk(dir)
	return out
}

// TestReadOnlyRegistry opens the groups of a registry read-only while a
// writable registry has it open, with a member in a group: the read-only
// coordinator shows the committed offsets, lag included, and no member;
// it refuses to join, commit or delete; it forgets no offset, even of a
// topic that is gone; it does not follow later commits; and no file
// changes.
func TestReadOnlyRegistry(t *testing.T) {
	ctx := t.Context()
	m, r := memRegistry(t)
	_, err := r.Create(ctx, "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	base := time.Unix(1_700_000_000, 0)
	produceN(t, prod, "t", 0, 0, 5, base)
	produceN(t, prod, "t", 1, 0, 3, base)

	// Offsets of a topic that no longer exists: what a crash between
	// its deletion and its offsets' leaves.
	s, err := offsets.Open(filepath.Join("/data", offsets.DirName), offsets.Options{FS: m, NoLock: true})
	require.NoError(t, err)
	require.NoError(t, s.Commit(ctx, "old", offsets.Commit{Topic: "ghost", Offset: 9}))
	require.NoError(t, s.Close())

	roLogger, roRec := logcapture.New()
	openReadOnly := func() (*topic.Registry, *Coordinator) {
		t.Helper()
		ro, err := topic.Open("/data", topic.Options{FS: m, ReadOnly: true, RetentionCheckInterval: -1})
		require.NoError(t, err)
		t.Cleanup(func() { ro.Close() })
		c, err := Open(ro, Options{Logger: roLogger})
		require.NoError(t, err)
		return ro, c
	}
	before := treeContents(t, m, "/data")
	ro, c := openReadOnly()
	_, ok := c.Committed("old", "ghost", 0)
	require.True(t, ok, "a read-only coordinator forgets nothing")
	require.Equal(t, []string{"old"}, c.Groups())
	require.True(t, c.Offsets().ReadOnly())
	require.NoError(t, ro.Close())
	require.Equal(t, before, treeContents(t, m, "/data"), "files changed")
	opened := roRec.Find("offsets opened")
	require.Len(t, opened, 1, roRec.Dump())
	require.Equal(t, "true", opened[0].String("read_only"))

	// The writer's coordinator forgets the gone topic's offsets; its
	// member reads and commits, and stays in the group.
	logger, rec := logcapture.New()
	w, err := Open(r, Options{Logger: logger})
	require.NoError(t, err)
	require.NotEmpty(t, rec.Find("offsets opened"), "the coordinator's logger reaches the offsets: %s", rec.Dump())
	_, ok = w.Committed("old", "ghost", 0)
	require.False(t, ok)
	mem, err := w.Join("g", MemberOptions{Topics: []string{"t"}, ManualCommit: true})
	require.NoError(t, err)
	defer mem.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	recs, err := mem.PollBatch(pctx, 6)
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	require.NoError(t, mem.CommitOffsets(ctx, offsets.Commit{Topic: "t", Partition: 0, Offset: 4, Metadata: "m"},
		offsets.Commit{Topic: "t", Partition: 1, Offset: 1}))
	require.NoError(t, w.Commit(ctx, "admin", offsets.Commit{Topic: "t", Partition: 1, Offset: 2}))
	require.Len(t, describeOn(t, w, "g").Members, 1)

	before = treeContents(t, m, "/data")
	ro, c = openReadOnly()
	require.Equal(t, []string{"admin", "g"}, c.Groups())
	got, ok := c.Committed("g", "t", 0)
	require.True(t, ok)
	require.Equal(t, int64(4), got.Offset)
	require.Equal(t, "m", got.Metadata)
	d := describeOn(t, c, "g")
	require.Empty(t, d.Members, "members of another coordinator are not visible")
	require.Empty(t, d.Strategy)
	require.Equal(t, []PartitionDescription{
		{TopicPartition: TopicPartition{Topic: "t", Partition: 0}, Committed: d.Partitions[0].Committed, HighWatermark: 5, Lag: 1},
		{TopicPartition: TopicPartition{Topic: "t", Partition: 1}, Committed: d.Partitions[1].Committed, HighWatermark: 3, Lag: 2},
	}, d.Partitions)
	_, err = c.Describe("nope")
	require.ErrorIs(t, err, ErrUnknownGroup)

	_, err = c.Join("g", MemberOptions{Topics: []string{"t"}})
	require.ErrorIs(t, err, ErrReadOnly)
	require.ErrorIs(t, err, offsets.ErrReadOnly)
	require.ErrorIs(t, c.Commit(ctx, "g", offsets.Commit{Topic: "t", Offset: 5}), ErrReadOnly)
	require.ErrorIs(t, c.DeleteGroup(ctx, "g"), ErrReadOnly)
	require.ErrorIs(t, c.Offsets().Commit(ctx, "g", offsets.Commit{Topic: "t", Offset: 5}), ErrReadOnly)
	require.Equal(t, before, treeContents(t, m, "/data"), "files changed")

	// The writer goes on; the read-only coordinator shows what it read.
	require.NoError(t, mem.CommitOffsets(ctx, offsets.Commit{Topic: "t", Partition: 0, Offset: 5}))
	got, _ = c.Committed("g", "t", 0)
	require.Equal(t, int64(4), got.Offset)
	before = treeContents(t, m, "/data")
	require.NoError(t, ro.Close())
	_, err = c.Join("g", MemberOptions{Topics: []string{"t"}})
	require.ErrorIs(t, err, ErrClosed, "the registry's Close closes the coordinator")
	require.Equal(t, before, treeContents(t, m, "/data"), "Close changed files")
	_, c = openReadOnly()
	got, _ = c.Committed("g", "t", 0)
	require.Equal(t, int64(5), got.Offset)
}

// describeOn describes a group that must be known to c.
func describeOn(t *testing.T, c *Coordinator, name string) Description {
	t.Helper()
	d, err := c.Describe(name)
	require.NoError(t, err)
	return d
}
