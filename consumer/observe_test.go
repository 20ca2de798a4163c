package consumer

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/internal/metricstest"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/topic"
)

// TestReaderLogsRecordsSkipped deletes records under a reader: the reader
// goes on from the log start and says so once, with where it was and
// where it went on from.
func TestReaderLogsRecordsSkipped(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	appendN(t, tp, 1, 0, 10, time.Now())
	logger, rec := logcapture.New()
	rd, err := NewPartitionReader(tp, 1, Options{Logger: logger})
	require.NoError(t, err)
	require.Equal(t, "v0", nextValue(t, rd))
	_, err = tp.Partitions()[1].DeleteRecordsBefore(7)
	require.NoError(t, err)

	require.Equal(t, "v7", nextValue(t, rd))
	require.Equal(t, "v8", nextValue(t, rd))
	got := rec.Find("reader skipped records deleted by retention")
	require.Len(t, got, 1, rec.Dump())
	e := got[0]
	require.Equal(t, slog.LevelWarn, e.Level)
	require.Equal(t, "t", e.String("topic"))
	for key, want := range map[string]int64{"partition": 1, "offset": 1, "log_start_offset": 7, "skipped": 6} {
		v, ok := e.Int(key)
		require.True(t, ok && v == want, "%s = %d, want %d: %s", key, v, want, e.Format())
	}

	// A strict reader fails instead, and logs nothing.
	logger, rec = logcapture.New()
	strict, err := NewPartitionReader(tp, 1, Options{Start: AtOffset(2), FailOnOutOfRange: true, Logger: logger})
	require.NoError(t, err)
	_, err = strict.TryNext()
	require.ErrorIs(t, err, ErrOffsetOutOfRange)
	require.Empty(t, rec.Entries())
}

// countingCollector counts the gauge sets it passes on.
type countingCollector struct {
	*metricstest.Collector
	sets atomic.Int64
}

func (c *countingCollector) Set(m metrics.Metric, l metrics.Labels, v float64) {
	c.sets.Add(1)
	c.Collector.Set(m, l, v)
}

// TestReaderReportsLag reads a partition of 1,000 records: the lag is
// reported every 256 records while the reader is behind, and as zero once
// it has caught up, not once per record.
func TestReaderReportsLag(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	appendN(t, tp, 1, 0, 1000, time.Now())
	c := &countingCollector{Collector: metricstest.New()}
	rd, err := NewPartitionReader(tp, 1, Options{Metrics: c})
	require.NoError(t, err)
	labels := metrics.Labels{Topic: "t", Partition: 1}

	for range 255 {
		_, err := rd.TryNext()
		require.NoError(t, err)
	}
	_, ok := c.Gauge(metrics.ConsumerLag, labels)
	require.False(t, ok, "no report before 256 records")
	_, err = rd.TryNext()
	require.NoError(t, err)
	lag, ok := c.Gauge(metrics.ConsumerLag, labels)
	require.True(t, ok, c.Dump())
	require.Equal(t, float64(1000-256), lag)

	for {
		rec, err := rd.TryNext()
		require.NoError(t, err)
		if rec == nil {
			break
		}
	}
	lag, _ = c.Gauge(metrics.ConsumerLag, labels)
	require.Equal(t, float64(0), lag, "caught up")
	require.LessOrEqual(t, c.sets.Load(), int64(1000/256+1), "one set per stretch of records")
	require.Empty(t, c.Mismatches())

	// A topic reader labels each partition's lag with it.
	appendN(t, tp, 0, 0, 3, time.Now())
	tr, err := NewTopicReader(tp, Options{Metrics: c, Start: Earliest()})
	require.NoError(t, err)
	n := 0
	for {
		rec, err := tr.TryNext()
		require.NoError(t, err)
		if rec == nil {
			break
		}
		n++
	}
	require.Equal(t, 1003, n)
	for p := range int32(2) {
		lag, ok := c.Gauge(metrics.ConsumerLag, metrics.Labels{Topic: "t", Partition: p})
		require.True(t, ok && lag == 0, "partition %d: %g, %v\n%s", p, lag, ok, c.Dump())
	}
}

// TestReaderErrorsSayWhat checks the messages of a reader's own errors:
// they name the topic or the offset, and still match their sentinels.
func TestReaderErrorsSayWhat(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "orders", topic.Config{})
	require.NoError(t, err)
	appendN(t, tp, 0, 0, 3, time.Now())

	_, err = NewPartitionReader(tp, 0, Options{Start: AtOffset(-1)})
	require.ErrorIs(t, err, ErrInvalidOffset)
	require.EqualError(t, err, "consumer: start offset -1 is negative")

	_, err = NewPartitionReader(tp, 0, Options{Start: AtOffset(4)})
	require.ErrorIs(t, err, ErrOffsetOutOfRange)
	require.Contains(t, err.Error(), "orders-0")

	// A Committed position without a source falls back.
	pr, err := NewPartitionReader(tp, 0, Options{Start: Committed(nil, "g", Latest())})
	require.NoError(t, err)
	require.Equal(t, int64(3), pr.Offset())

	tr, err := NewTopicReader(tp, Options{})
	require.NoError(t, err)
	require.NoError(t, r.Delete(context.Background(), "orders"))
	for _, err := range []error{
		func() error { _, err := tr.TryNext(); return err }(),
		func() error { _, err := tr.Next(context.Background()); return err }(),
		func() error { _, err := NewTopicReader(tp, Options{}); return err }(),
	} {
		require.ErrorIs(t, err, ErrClosed)
		require.ErrorIs(t, err, topic.ErrClosed)
		require.EqualError(t, err, `consumer: topic "orders" closed (deleted, or its registry closed)`)
	}
}
