package topic

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/internal/metricstest"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestRegistryLogs checks the registry's own lines: a topic created,
// grown and deleted (Info), and an open refused for the lock (Warn).
func TestRegistryLogs(t *testing.T) {
	ctx := t.Context()
	m := vfs.NewMem()
	logger, rec := logcapture.New()
	r, err := Open("/data", Options{FS: m, RetentionCheckInterval: -1, Logger: logger})
	require.NoError(t, err)
	defer r.Close()
	_, err = r.Create(ctx, "orders", Config{Partitions: 2})
	require.NoError(t, err)
	require.NoError(t, r.AddPartitions(ctx, "orders", 5))
	require.NoError(t, r.Delete(ctx, "orders"))
	_, err = Open("/data", Options{FS: m, Logger: logger})
	require.ErrorIs(t, err, ErrLocked)

	one := func(msg string, level slog.Level) logcapture.Entry {
		t.Helper()
		es := rec.Find(msg)
		require.Len(t, es, 1, "%q in:\n%s", msg, rec.Dump())
		require.Equal(t, level, es[0].Level, msg)
		return es[0]
	}
	e := one("topic created", slog.LevelInfo)
	require.Equal(t, "orders", e.String("topic"))
	n, _ := e.Int("partitions")
	require.Equal(t, int64(2), n)
	e = one("partitions added", slog.LevelInfo)
	n, _ = e.Int("partitions")
	added, _ := e.Int("added")
	require.Equal(t, [2]int64{5, 3}, [2]int64{n, added})
	require.Equal(t, "orders", one("topic deleted", slog.LevelInfo).String("topic"))
	e = one("registry open refused", slog.LevelWarn)
	require.Equal(t, "/data", e.String("dir"))
	require.Contains(t, e.String("err"), "locked")
}

// TestOpenLogsWhatItFinishes crashes in the middle of a creation and of a
// growth: the next Open rolls both back and says so.
func TestOpenLogsWhatItFinishes(t *testing.T) {
	m, r := memRegistry(t)
	_, err := r.Create(t.Context(), "grown", Config{})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	// What an interrupted Create and an interrupted AddPartitions leave.
	require.NoError(t, writeMetadata(m, "/data", newMetadata("half", stateCreating, newID(), Config{}.withDefaults())))
	require.NoError(t, m.MkdirAll("/data/grown-1", 0o755))

	logger, rec := logcapture.New()
	r, err = Open("/data", Options{FS: m, RetentionCheckInterval: -1, Logger: logger})
	require.NoError(t, err)
	defer r.Close()
	require.Len(t, rec.Find("interrupted topic creation rolled back"), 1, rec.Dump())
	require.Equal(t, "half", rec.Find("interrupted topic creation rolled back")[0].String("topic"))
	require.Len(t, rec.Find("interrupted partition addition rolled back"), 1, rec.Dump())
	require.Equal(t, []string{"grown"}, names(r.Topics()))
}

// TestPartitionLogsCarryTopicAndPartition opens a registry after a crash,
// so that each partition's log recovers and logs it, and reports what it
// scanned: the lines and the measurements carry the topic and partition.
func TestPartitionLogsCarryTopicAndPartition(t *testing.T) {
	m, r := memRegistry(t)
	tp, err := r.Create(t.Context(), "orders", Config{Partitions: 3})
	require.NoError(t, err)
	_, err = tp.Partitions()[2].AppendRecords(record.Record{Value: []byte("v")})
	require.NoError(t, err)
	require.NoError(t, tp.Partitions()[2].Sync(t.Context()))
	crashed := m.CrashClone(vfs.CrashOptions{}) // no clean shutdown: the logs recover

	logger, rec := logcapture.New()
	collector := metricstest.New()
	r2, err := Open("/data", Options{FS: crashed, RetentionCheckInterval: -1, Logger: logger, Metrics: collector})
	require.NoError(t, err)
	defer r2.Close()
	recovered := rec.Find("log recovered")
	require.Len(t, recovered, 3, rec.Dump())
	seen := map[int64]bool{}
	for _, e := range recovered {
		require.Equal(t, "orders", e.String("topic"), e.Format())
		p, ok := e.Int("partition")
		require.True(t, ok, e.Format())
		seen[p] = true
	}
	require.Equal(t, map[int64]bool{0: true, 1: true, 2: true}, seen)
	require.Positive(t, collector.Sum(metrics.RecoveryBytesScanned, metrics.Labels{Topic: "orders", Partition: 2}))
	require.Zero(t, collector.Sum(metrics.RecoveryBytesScanned, metrics.Labels{}), "every measurement is labelled")
	require.Empty(t, collector.Mismatches())
}
