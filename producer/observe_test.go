package producer

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/internal/metricstest"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/topic"
)

// countingCollector counts the gauge sets it passes on, and keeps the
// largest value set.
type countingCollector struct {
	*metricstest.Collector
	sets atomic.Int64
	max  atomic.Int64
}

func (c *countingCollector) Set(m metrics.Metric, l metrics.Labels, v float64) {
	c.sets.Add(1)
	for old := c.max.Load(); int64(v) > old && !c.max.CompareAndSwap(old, int64(v)); old = c.max.Load() {
	}
	c.Collector.Set(m, l, v)
}

// TestProducerMetrics produces 1,000 records to two partitions in batches
// of about 20: every appended batch is observed under its topic and
// partition, the buffer gauge shows what the batches held and comes back
// to zero once they are written, and it is set once per batch, not once
// per record.
func TestProducerMetrics(t *testing.T) {
	ctx := context.Background()
	_, r := memRegistry(t)
	_, err := r.Create(ctx, "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	c := &countingCollector{Collector: metricstest.New()}
	prod := mustProducer(t, r, Options{Metrics: c, Linger: time.Hour, BatchBytes: 2 << 10, Partitioner: NewRoundRobinPartitioner()})
	const n = 1000
	for i := range n {
		prod.ProduceAsync(ctx, Message{Topic: "t", Value: make([]byte, 80+i%7)}, nil)
	}
	require.NoError(t, prod.Flush(ctx))
	require.Greater(t, c.max.Load(), int64(20*80), "closed batches report what the buffer holds\n%s", c.Dump())
	held, ok := c.Gauge(metrics.ProducerBufferBytes, metrics.Labels{})
	require.True(t, ok)
	require.Equal(t, float64(0), held, "everything written")
	var records float64
	batches := 0
	for p := range int32(2) {
		obs := c.Observations(metrics.ProducerBatchRecords, metrics.Labels{Topic: "t", Partition: p})
		require.NotEmpty(t, obs, "partition %d\n%s", p, c.Dump())
		for _, o := range obs {
			require.GreaterOrEqual(t, o, float64(1))
			records += o
		}
		batches += len(obs)
	}
	require.Equal(t, float64(n), records)
	require.Greater(t, n/batches, 5, "batches of several records")
	require.Less(t, c.sets.Load(), int64(2*batches+2), "a set per batch closed and per write, not per record")
	require.Empty(t, c.Mismatches())
}

// TestFailedAppendIsLogged deletes a topic while the producer holds
// batches for it: one warning per failed write names the topic, the
// partition and the error.
func TestFailedAppendIsLogged(t *testing.T) {
	ctx := context.Background()
	_, r := memRegistry(t)
	_, err := r.Create(ctx, "t", topic.Config{Partitions: 3})
	require.NoError(t, err)
	logger, rec := logcapture.New()
	prod := mustProducer(t, r, Options{Logger: logger, Linger: time.Hour, Partitioner: NewManualPartitioner()})
	for range 5 {
		prod.ProduceAsync(ctx, Message{Topic: "t", Partition: 2}, nil)
	}
	require.NoError(t, r.Delete(ctx, "t"))
	require.NoError(t, prod.Flush(ctx))

	got := rec.Find("batch append failed")
	require.Len(t, got, 1, rec.Dump())
	e := got[0]
	require.Equal(t, slog.LevelWarn, e.Level)
	require.Equal(t, "t", e.String("topic"))
	part, _ := e.Int("partition")
	records, _ := e.Int("records")
	require.Equal(t, [2]int64{2, 5}, [2]int64{part, records}, e.Format())
	require.True(t, strings.Contains(e.String("err"), `topic "t" deleted`), e.Format())
}
