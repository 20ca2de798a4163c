package group

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/internal/leakcheck"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestMain fails the tests if a goroutine the library started outlives
// them: everything the library starts must stop on Close.
func TestMain(m *testing.M) { leakcheck.Main(m) }

// memRegistry opens a registry on a fresh in-memory filesystem, closed
// when the test ends.
func memRegistry(t *testing.T) (*vfs.MemFS, *topic.Registry) {
	t.Helper()
	m := vfs.NewMem()
	r, err := topic.Open("/data", topic.Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return m, r
}

// coordinators holds the coordinator groupsOf opened for each registry.
var coordinators sync.Map // *topic.Registry -> *Coordinator

// groupsOf returns the coordinator of r's consumer groups, opening it the
// first time; r's Close closes it.
func groupsOf(t testing.TB, r *topic.Registry) *Coordinator {
	t.Helper()
	if c, ok := coordinators.Load(r); ok {
		return c.(*Coordinator)
	}
	c, err := Open(r, Options{})
	require.NoError(t, err)
	coordinators.Store(r, c)
	return c
}

// mustProducer makes a producer that sends each message to its Partition,
// unless opts choose another partitioner.
func mustProducer(t *testing.T, r *topic.Registry, opts producer.Options) *producer.Producer {
	t.Helper()
	if opts.Partitioner == nil {
		opts.Partitioner = producer.NewManualPartitioner()
	}
	p, err := producer.New(r, opts)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

// produceN produces n messages "v<i>" to partition p of topic name, with
// timestamps one second apart from base.
func produceN(t *testing.T, prod *producer.Producer, name string, p int32, from, n int, base time.Time) {
	t.Helper()
	for i := from; i < from+n; i++ {
		_, err := prod.Produce(context.Background(), producer.Message{
			Topic: name, Value: fmt.Appendf(nil, "v%d", i), Partition: p,
			Time: base.Add(time.Duration(i) * time.Second),
		})
		require.NoError(t, err)
	}
}

func nextValue(t *testing.T, r interface {
	Next(context.Context) (*consumer.Record, error)
}) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rec, err := r.Next(ctx)
	require.NoError(t, err)
	return string(rec.Value)
}

// describeGroup describes a group that must be known.
func describeGroup(t *testing.T, r *topic.Registry, name string) Description {
	t.Helper()
	d, err := groupsOf(t, r).Describe(name)
	require.NoError(t, err)
	return d
}
