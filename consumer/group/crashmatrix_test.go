package group

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/internal/crashtest"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// matrixPartitions is how many partitions topic "a" of the registry crash
// matrix ends with.
const matrixPartitions = 6

// registryBounds is what a crash of the registry crash matrix may show.
// Each operation widens the bounds before it starts and narrows them once
// it returns.
type registryBounds struct {
	aCreated                   bool // Create("a") returned
	aPartsMin, aPartsMax       int
	endMin, endMax             [matrixPartitions]int64 // a's partitions' high watermarks
	commitMin, commitMax       [matrixPartitions]int64 // group g's offsets for them; 0: none
	bCreated, bDeleting, bGone bool
}

// TestRegistryCrashMatrix runs a workload of every kind of registry change
// on the in-memory filesystem: creating a durable topic, producing to it,
// committing offsets until the offsets log is compacted, adding
// partitions, and creating, producing to and deleting a second topic. A
// crash clone is taken before every sync, rename and remove, and a torn
// one before a third of all changes. Every clone must open without error
// to a registry within the bounds acknowledged when it was taken, and
// whose records are the ones written.
func TestRegistryCrashMatrix(t *testing.T) {
	mem := vfs.NewMem()
	var mu sync.Mutex
	var b registryBounds
	set := func(change func(b *registryBounds)) { mu.Lock(); change(&b); mu.Unlock() }
	x := crashtest.NewMatrix(mem, 4, 0.33, func() registryBounds { mu.Lock(); defer mu.Unlock(); return b })
	opts := topic.Options{FS: x.FS(), RetentionCheckInterval: -1}
	r, err := topic.Open("/data", opts)
	require.NoError(t, err)
	defer func() { r.Close() }()
	groups, err := Open(r, Options{CompactBytes: 2 << 10})
	require.NoError(t, err)
	cfg := topic.Config{Partitions: 4, Flush: log.FlushAlways, SegmentBytes: 2 << 10, SegmentIndexBytes: 4 << 10}
	x.Start()

	set(func(b *registryBounds) { b.aPartsMin, b.aPartsMax = 4, 4 })
	_, err = r.Create(t.Context(), "a", cfg)
	require.NoError(t, err)
	set(func(b *registryBounds) { b.aCreated = true })

	prod, err := producer.New(r, producer.Options{Partitioner: producer.NewManualPartitioner()})
	require.NoError(t, err)
	defer prod.Close()
	produce := func(topic string, p int32) {
		set(func(b *registryBounds) {
			if topic == "a" {
				b.endMax[p]++
			}
		})
		next := b.endMax[p] - 1
		ack, err := prod.Produce(context.Background(), producer.Message{Topic: topic, Partition: p, Value: matrixValue(topic, p, next)})
		require.NoError(t, err)
		if topic == "a" {
			require.Equal(t, next, ack.Offset)
			set(func(b *registryBounds) { b.endMin[p] = ack.Offset + 1 })
		}
	}
	for i := range 80 {
		produce("a", int32(i%4))
	}

	for i := range int64(240) {
		p := int32(i % 4)
		offset := i/4 + 1
		set(func(b *registryBounds) { b.commitMax[p] = offset })
		require.NoError(t, groups.Commit(t.Context(), "g", offsets.Commit{Topic: "a", Partition: p, Offset: offset, Metadata: "m"}))
		set(func(b *registryBounds) { b.commitMin[p] = offset })
	}
	require.Positive(t, groups.Offsets().Stats().LogStartOffset, "the offsets log was compacted")

	set(func(b *registryBounds) { b.aPartsMax = matrixPartitions })
	require.NoError(t, r.AddPartitions(t.Context(), "a", matrixPartitions))
	set(func(b *registryBounds) { b.aPartsMin = matrixPartitions })
	for i := range 12 {
		produce("a", int32(4+i%2))
	}

	_, err = r.Create(t.Context(), "b", cfg)
	require.NoError(t, err)
	set(func(b *registryBounds) { b.bCreated = true })
	for i := range 8 {
		produce("b", int32(i%4))
	}
	set(func(b *registryBounds) { b.bDeleting = true })
	require.NoError(t, r.Delete(t.Context(), "b"))
	set(func(b *registryBounds) { b.bGone = true })
	require.NoError(t, prod.Close())
	require.NoError(t, r.Close())
	clones := x.Stop()

	torn := 0
	for i, c := range clones {
		if c.Torn {
			torn++
		}
		checkRegistryBounds(t, c, opts, fmt.Sprintf("clone %d of %d, before %s %s, torn %v", i, len(clones), c.Op.Kind, c.Op.Path, c.Torn))
	}
	t.Logf("%d exact clones, %d torn", len(clones)-torn, torn)
}

func matrixValue(topic string, p int32, offset int64) []byte {
	return fmt.Appendf(nil, "%s-%d-%d", topic, p, offset)
}

// checkRegistryBounds opens a clone and checks it against its bounds.
func checkRegistryBounds(t *testing.T, c crashtest.Clone[registryBounds], opts topic.Options, msg string) {
	t.Helper()
	opts.FS = c.FS
	r, err := topic.Open("/data", opts)
	require.NoError(t, err, msg)
	defer r.Close()
	groups, err := Open(r, Options{})
	require.NoError(t, err, msg)
	b := c.Acked

	_, err = r.Topic("b")
	switch {
	case b.bGone:
		require.ErrorIs(t, err, topic.ErrUnknownTopic, msg)
	case b.bCreated && !b.bDeleting:
		require.NoError(t, err, msg)
	}

	a, err := r.Topic("a")
	if !b.aCreated && err != nil {
		require.ErrorIs(t, err, topic.ErrUnknownTopic, msg)
		return
	}
	require.NoError(t, err, msg)
	parts := a.Partitions()
	require.GreaterOrEqual(t, len(parts), b.aPartsMin, msg)
	require.LessOrEqual(t, len(parts), b.aPartsMax, msg)
	for _, p := range parts {
		i := p.Index()
		hw := p.HighWatermark()
		if hw < b.endMin[i] || hw > b.endMax[i] {
			t.Fatalf("%s: partition %d ends at %d, outside [%d, %d]", msg, i, hw, b.endMin[i], b.endMax[i])
		}
		pr, err := consumer.NewPartitionReader(a, int32(i), consumer.Options{})
		require.NoError(t, err, msg)
		for n := int64(0); n < hw; n++ {
			rec, err := pr.TryNext()
			require.NoError(t, err, msg)
			require.NotNil(t, rec, msg)
			require.Equal(t, string(matrixValue("a", i, n)), string(rec.Value), msg)
		}
		committed, ok := groups.Committed("g", "a", i)
		if b.commitMin[i] > 0 {
			require.True(t, ok, "%s: partition %d lost its committed offset", msg, i)
		}
		if ok && (committed.Offset < b.commitMin[i] || committed.Offset > b.commitMax[i]) {
			t.Fatalf("%s: partition %d committed %d, outside [%d, %d]", msg, i, committed.Offset, b.commitMin[i], b.commitMax[i])
		}
	}
}
