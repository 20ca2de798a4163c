package group

import (
	"context"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestRegistryFailEveryOperation runs a registry workload (open, create
// two topics, produce, commit offsets, grow and delete a topic, close)
// once per filesystem operation, failing that operation. No run may
// panic; errors carry the injected failure; and the registry reopened on
// the files as they are holds every acknowledged record and commit of the
// topic that was not deleted.
func TestRegistryFailEveryOperation(t *testing.T) {
	points := 0
	for i := 0; ; i++ {
		if !runRegistryFaultWorkload(t, vfs.FaultPlan{FailAt: i, Err: syscall.EIO}) {
			break
		}
		points++
	}
	require.Greater(t, points, 100)
	t.Logf("%d failure points", points)
}

func runRegistryFaultWorkload(t *testing.T, plan vfs.FaultPlan) bool {
	t.Helper()
	m := vfs.NewMem()
	f := vfs.NewFaultFS(m, plan)
	where := fmt.Sprintf("failing operation %d", plan.FailAt)
	checkInjected := func(err error) {
		t.Helper()
		var ie *vfs.InjectedError
		require.ErrorAs(t, err, &ie, where)
	}
	cfg := topic.Config{Partitions: 2, Flush: log.FlushAlways, SegmentIndexBytes: 4 << 10}
	var acked []producer.Ack
	committed := int64(-1)

	func() {
		r, err := topic.Open("/data", topic.Options{FS: f, RetentionCheckInterval: -1})
		if err != nil {
			checkInjected(err)
			return
		}
		defer r.Close()
		groups, err := Open(r, Options{})
		if err != nil {
			checkInjected(err)
			return
		}
		if _, err := r.Create(t.Context(), "keep", cfg); err != nil {
			checkInjected(err)
			return
		}
		if _, err := r.Create(t.Context(), "drop", cfg); err != nil {
			checkInjected(err)
			return
		}
		prod, err := producer.New(r, producer.Options{})
		require.NoError(t, err)
		defer prod.Close()
		for i := range 10 {
			ack, err := prod.Produce(context.Background(), producer.Message{Topic: "keep", Key: []byte{byte(i)}, Value: fmt.Appendf(nil, "v%d", i)})
			if err != nil {
				checkInjected(err)
				return
			}
			acked = append(acked, ack)
		}
		if err := groups.Commit(t.Context(), "g", offsets.Commit{Topic: "keep", Partition: 0, Offset: 3}); err != nil {
			checkInjected(err)
			return
		}
		committed = 3
		if err := r.AddPartitions(t.Context(), "keep", 3); err != nil {
			checkInjected(err)
			return
		}
		if err := r.Delete(t.Context(), "drop"); err != nil {
			checkInjected(err)
			return
		}
	}()

	r, err := topic.Open("/data", topic.Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err, where)
	defer r.Close()
	if len(acked) > 0 {
		tp, err := r.Topic("keep")
		require.NoError(t, err, where)
		for _, a := range acked {
			pr, err := consumer.NewPartitionReader(tp, a.Partition, consumer.Options{Start: consumer.AtOffset(a.Offset)})
			require.NoError(t, err, where)
			rec, err := pr.TryNext()
			require.NoError(t, err, where)
			require.NotNil(t, rec, "%s: acknowledged %v lost", where, a)
		}
	}
	if committed >= 0 {
		c, ok := groupsOf(t, r).Committed("g", "keep", 0)
		require.True(t, ok, where)
		require.Equal(t, committed, c.Offset, where)
	}
	return f.Fired()
}
