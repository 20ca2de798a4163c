package topic

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

func TestCreateIfNotExists(t *testing.T) {
	ctx := t.Context()
	m, r := memRegistry(t)
	first, created, err := r.CreateIfNotExists(ctx, "events", Config{Partitions: 2})
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, int32(2), first.NumPartitions())

	// An existing topic is returned as it is: the config is not compared.
	before := m.String()
	again, created, err := r.CreateIfNotExists(ctx, "events", Config{Partitions: 5, Compression: 2})
	require.NoError(t, err)
	require.False(t, created)
	require.Same(t, first, again)
	require.Equal(t, int32(2), again.NumPartitions())
	require.Equal(t, before, m.String(), "nothing is written for an existing topic")

	// The arguments are checked either way.
	_, _, err = r.CreateIfNotExists(ctx, "events", Config{SegmentBytes: 10})
	require.ErrorIs(t, err, ErrInvalidConfig)
	_, _, err = r.CreateIfNotExists(ctx, "../events", Config{})
	require.ErrorIs(t, err, ErrInvalidName)

	// Many at once: one creates, every one gets the same topic.
	var wg sync.WaitGroup
	var creations atomic.Int32
	topics := make([]*Topic, 8)
	for i := range topics {
		wg.Go(func() {
			tp, created, err := r.CreateIfNotExists(ctx, "race", Config{})
			if err == nil && created {
				creations.Add(1)
			}
			topics[i] = tp
		})
	}
	wg.Wait()
	require.Equal(t, int32(1), creations.Load())
	for _, tp := range topics {
		require.Same(t, topics[0], tp)
	}
}

// TestErrorMessages checks that the errors name what they are about once,
// read whole, and still match their sentinels.
func TestErrorMessages(t *testing.T) {
	ctx := t.Context()
	m, r := memRegistry(t)
	tp, err := r.Create(ctx, "orders", Config{Partitions: 3})
	require.NoError(t, err)
	for _, c := range []struct {
		err  error
		is   error
		text string
	}{
		{func() error { _, err := r.Create(ctx, "orders", Config{}); return err }(), ErrTopicExists, `topic: "orders" already exists`},
		{func() error { _, err := r.Topic("nope"); return err }(), ErrUnknownTopic, `topic: unknown topic "nope"`},
		{r.Delete(ctx, "nope"), ErrUnknownTopic, `topic: unknown topic "nope"`},
		{func() error { _, err := tp.Partition(3); return err }(), ErrUnknownPartition, `topic: "orders" has no partition 3 (it has 3)`},
		{r.AddPartitions(ctx, "orders", 2), ErrInvalidConfig, `topic: cannot grow "orders" from 3 partitions to 2: a topic only grows, to at most 65536`},
		{func() error { _, err := r.Create(ctx, "x", Config{SegmentBytes: 10}); return err }(), ErrInvalidConfig,
			`topic: invalid configuration: segment bytes 10 not in [1 KiB, 2 GiB)`},
		{func() error { _, err := Open("/data", Options{FS: m}); return err }(), ErrLocked,
			`topic: registry /data is open elsewhere: lock /data/.lock: vfs: already locked by another owner`},
	} {
		require.ErrorIs(t, c.err, c.is)
		require.Equal(t, c.text, c.err.Error())
	}
	require.NoError(t, m.MkdirAll("/data/foreign-0", 0o755))
	_, err = r.Create(ctx, "foreign", Config{})
	require.ErrorIs(t, err, ErrTopicExists)
	require.Equal(t, `topic: cannot create "foreign": /data holds partition directories of no known topic (/data/foreign-0)`, err.Error())

	require.NoError(t, r.Close())
	_, err = r.Topic("orders")
	require.ErrorIs(t, err, ErrClosed)
	require.Equal(t, "topic: registry /data is closed", err.Error())
	_, err = tp.Partition(0)
	require.ErrorIs(t, err, ErrClosed)
	require.Equal(t, `topic: "orders" is closed`, err.Error())
}

// TestAdminWaitEndsWithContext holds the registry's administrative
// operations and checks that each one's wait ends with its context.
func TestAdminWaitEndsWithContext(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", Config{})
	require.NoError(t, err)
	r.admin <- struct{}{} // as an operation in progress does
	calls := map[string]func(context.Context) error{
		"Create": func(ctx context.Context) error { _, err := r.Create(ctx, "u", Config{}); return err },
		"CreateIfNotExists": func(ctx context.Context) error {
			_, _, err := r.CreateIfNotExists(ctx, "t", Config{})
			return err
		},
		"AddPartitions": func(ctx context.Context) error { return r.AddPartitions(ctx, "t", 2) },
		"AlterConfig": func(ctx context.Context) error {
			_, err := r.AlterConfig(ctx, "t", func(c *Config) { c.RetentionAge = time.Hour })
			return err
		},
		"Delete": func(ctx context.Context) error { return r.Delete(ctx, "t") },
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		require.ErrorIs(t, call(ctx), context.DeadlineExceeded, name)
		cancel()
	}
	<-r.admin
	// A context that has ended already fails even with nothing to wait for.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for name, call := range calls {
		require.ErrorIs(t, call(ctx), context.Canceled, name)
	}
	tp, err := r.Topic("t")
	require.NoError(t, err)
	require.Equal(t, Config{}.withDefaults(), tp.Config(), "nothing changed")
	_, err = r.Topic("u")
	require.ErrorIs(t, err, ErrUnknownTopic)
}

// cancelOn returns a filesystem over m that cancels the context it returns
// at the first operation of kind under path prefix, and lets it run.
func cancelOn(t *testing.T, m *vfs.MemFS, kind vfs.OpKind, prefix string) (vfs.FS, context.Context, *atomic.Bool) {
	ctx, cancel := context.WithCancel(t.Context())
	var armed atomic.Bool
	return vfs.Hook(m, func(op vfs.Op) error {
		if armed.Load() && op.Kind == kind && strings.HasPrefix(op.Path, prefix) {
			cancel()
		}
		return nil
	}), ctx, &armed
}

// TestCreateCanceledMidway cancels Create while it opens the partitions:
// it returns the context's error and leaves nothing behind.
func TestCreateCanceledMidway(t *testing.T) {
	m := vfs.NewMem()
	fsys, ctx, armed := cancelOn(t, m, vfs.OpMkdirAll, "/data/t-")
	r, err := Open("/data", Options{FS: fsys, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	armed.Store(true)
	_, err = r.Create(ctx, "t", Config{Partitions: 40})
	require.ErrorIs(t, err, context.Canceled)
	_, err = r.Topic("t")
	require.ErrorIs(t, err, ErrUnknownTopic)
	entries, err := m.List("/data")
	require.NoError(t, err)
	require.Equal(t, []string{".lock"}, entries, "the creation is rolled back")
}

// TestAddPartitionsCanceledMidway cancels AddPartitions while it opens the
// new partitions: the topic keeps its partitions and its records, and the
// next Open removes the new directories.
func TestAddPartitionsCanceledMidway(t *testing.T) {
	m := vfs.NewMem()
	fsys, ctx, armed := cancelOn(t, m, vfs.OpMkdirAll, "/data/t-")
	r, err := Open("/data", Options{FS: fsys, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	tp, err := r.Create(t.Context(), "t", Config{Partitions: 2})
	require.NoError(t, err)
	_, err = tp.Partitions()[1].AppendRecords(record.Record{Value: []byte("kept")})
	require.NoError(t, err)
	armed.Store(true)
	require.ErrorIs(t, r.AddPartitions(ctx, "t", 40), context.Canceled)
	require.Equal(t, int32(2), tp.NumPartitions())
	require.Equal(t, int64(1), tp.Partitions()[1].HighWatermark())
	require.NoError(t, r.AddPartitions(t.Context(), "t", 3), "the topic grows afterwards")
	require.NoError(t, r.Close())

	r, err = Open("/data", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	entries, err := m.List("/data")
	require.NoError(t, err)
	require.Equal(t, []string{".lock", "t-0", "t-1", "t-2", "t.topic"}, entries)
	tp, err = r.Topic("t")
	require.NoError(t, err)
	require.Equal(t, int32(3), tp.NumPartitions())
	require.Equal(t, int64(1), tp.Partitions()[1].HighWatermark())
}
