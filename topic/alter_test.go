package topic

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

func TestAlterConfig(t *testing.T) {
	ctx := t.Context()
	m := vfs.NewMem()
	logger, rec := logcapture.New()
	r, err := Open("/data", Options{FS: m, RetentionCheckInterval: -1, Logger: logger})
	require.NoError(t, err)
	tp, err := r.Create(ctx, "t", Config{Partitions: 2, SegmentBytes: 1 << 20})
	require.NoError(t, err)

	want := tp.Config()
	want.RetentionAge, want.SegmentBytes, want.Compression = -1, 2<<20, compress.Zstd
	want.Flush, want.FlushRecords, want.TimestampType = log.FlushEveryN, 10, record.LogAppendTime
	got, err := r.AlterConfig(ctx, "t", func(c *Config) {
		require.Equal(t, int32(2), c.Partitions, "edit sees the current config")
		require.Equal(t, log.DefaultRetentionAge, c.RetentionAge, "with its defaults")
		c.RetentionAge, c.SegmentBytes, c.Compression = -1, 2<<20, compress.Zstd
		c.Flush, c.FlushRecords, c.TimestampType = log.FlushEveryN, 10, record.LogAppendTime
	})
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, want, tp.Config())
	lines := rec.Find("topic config altered")
	require.Len(t, lines, 1, rec.Dump())
	require.Equal(t, "t", lines[0].String("topic"))
	require.Equal(t, "segment.bytes,retention.ms,compression.type,flush.policy,flush.messages,message.timestamp.type",
		lines[0].String("changed"))

	// A zero field goes back to its default.
	got, err = r.AlterConfig(ctx, "t", func(c *Config) { c.RetentionAge, c.FlushRecords = 0, 0 })
	require.NoError(t, err)
	want.RetentionAge, want.FlushRecords = log.DefaultRetentionAge, log.DefaultFlushRecords
	require.Equal(t, want, got)

	// Nothing changed: nothing written, nothing logged.
	before := m.String()
	got, err = r.AlterConfig(ctx, "t", func(c *Config) {})
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Equal(t, before, m.String())
	require.Len(t, rec.Find("topic config altered"), 2)

	// Refused: a partition count, a config Create would refuse, a topic
	// that does not exist. The config stays.
	_, err = r.AlterConfig(ctx, "t", func(c *Config) { c.Partitions = 3 })
	require.ErrorIs(t, err, ErrInvalidConfig)
	_, err = r.AlterConfig(ctx, "t", func(c *Config) { c.SegmentBytes = 10 })
	require.ErrorIs(t, err, ErrInvalidConfig)
	_, err = r.AlterConfig(ctx, "t", func(c *Config) { c.MaxMessageBytes = 4 << 20 })
	require.ErrorIs(t, err, ErrInvalidConfig, "larger than a segment")
	_, err = r.AlterConfig(ctx, "nope", func(c *Config) {})
	require.ErrorIs(t, err, ErrUnknownTopic)
	require.Equal(t, want, tp.Config())
	require.Equal(t, before, m.String())

	// Partitions added later take the altered config; all of it survives
	// a reopen.
	require.NoError(t, r.AddPartitions(ctx, "t", 3))
	want.Partitions = 3
	require.NoError(t, r.Close())
	r, err = Open("/data", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	tp, err = r.Topic("t")
	require.NoError(t, err)
	require.Equal(t, want, tp.Config())
}

// TestAlterConfigConcurrentReaders reads a topic's config while it is
// altered: every read is one whole config or the other (run under -race).
func TestAlterConfigConcurrentReaders(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(t.Context(), "t", Config{})
	require.NoError(t, err)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				c := tp.Config()
				if (c.RetentionAge == time.Hour) != (c.SegmentAge == time.Hour) {
					t.Errorf("a mixed config: %+v", c)
					return
				}
			}
		})
	}
	for i := range 50 {
		_, err := r.AlterConfig(t.Context(), "t", func(c *Config) {
			if i%2 == 0 {
				c.RetentionAge, c.SegmentAge = time.Hour, time.Hour
			} else {
				c.RetentionAge, c.SegmentAge = 0, 0
			}
		})
		require.NoError(t, err)
	}
	stop.Store(true)
	wg.Wait()
}

// TestAlterConfigCrash takes a crash clone before every filesystem
// operation AlterConfig makes, and clones that keep random parts of what
// was not synced: each opens with the old config or the new one, whole,
// and the records stay.
func TestAlterConfigCrash(t *testing.T) {
	m := vfs.NewMem()
	var crashes []*vfs.MemFS
	var recording atomic.Bool
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(3, 4))
	h := vfs.Hook(m, func(op vfs.Op) error {
		if recording.Load() && mutates(op.Kind) {
			mu.Lock()
			crashes = append(crashes, m.CrashClone(vfs.CrashOptions{}), m.CrashClone(vfs.CrashOptions{Rand: rng}))
			mu.Unlock()
		}
		return nil
	})
	r, err := Open("/data", Options{FS: h, RetentionCheckInterval: -1})
	require.NoError(t, err)
	tp, err := r.Create(t.Context(), "t", Config{Partitions: 2, Flush: log.FlushAlways, SegmentIndexBytes: 4 << 10})
	require.NoError(t, err)
	_, err = tp.Partitions()[1].AppendRecords(record.Record{Value: []byte("kept")})
	require.NoError(t, err)
	old := tp.Config()

	recording.Store(true)
	next, err := r.AlterConfig(t.Context(), "t", func(c *Config) {
		c.RetentionAge, c.SegmentBytes, c.Compression, c.Flush = -1, 2<<20, compress.LZ4, log.FlushInterval
	})
	require.NoError(t, err)
	recording.Store(false)
	crashes = append(crashes, m.CrashClone(vfs.CrashOptions{}))
	require.NoError(t, r.Close())

	sawOld, sawNew := false, false
	for i, c := range crashes {
		r, err := Open("/data", Options{FS: c, RetentionCheckInterval: -1})
		require.NoError(t, err, "crash %d", i)
		tp, err := r.Topic("t")
		require.NoError(t, err, "crash %d", i)
		switch got := tp.Config(); got {
		case old:
			sawOld = true
		case next:
			sawNew = true
		default:
			t.Fatalf("crash %d: config %+v is neither the old %+v nor the new %+v", i, got, old, next)
		}
		require.Equal(t, int64(1), tp.Partitions()[1].HighWatermark(), "crash %d", i)
		require.NoError(t, r.Close())
	}
	require.True(t, sawOld && sawNew, "the crashes show both configs (%d clones)", len(crashes))
}

// TestAlterConfigAppliesToPartitions checks that open partitions follow
// the altered config: retention, flushing and the batch size limit.
func TestAlterConfigAppliesToPartitions(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(t.Context(), "t", Config{Partitions: 2, SegmentBytes: 4 << 10})
	require.NoError(t, err)
	p := tp.Partitions()[1]
	value := make([]byte, 500)
	for range 20 {
		_, err := p.AppendRecords(record.Record{Timestamp: r.Now().UnixMilli(), Value: value})
		require.NoError(t, err)
	}
	require.Greater(t, p.NumSegments(), 2)
	res, err := p.EnforceRetention()
	require.NoError(t, err)
	require.Zero(t, res.Segments, "nothing is old or over a limit yet")

	_, err = r.AlterConfig(t.Context(), "t", func(c *Config) {
		c.RetentionBytes, c.Flush, c.MaxMessageBytes = 1<<10, FlushAlways, 300
	})
	require.NoError(t, err)
	_, err = p.EnforceRetention()
	require.NoError(t, err)
	require.Positive(t, p.LogStartOffset(), "retention.bytes applies")
	for _, part := range tp.Partitions() {
		require.True(t, part.Durable(), "flush.policy always makes partition %d durable", part.Index())
	}
	_, err = p.AppendRecords(record.Record{Timestamp: r.Now().UnixMilli(), Value: value})
	require.ErrorIs(t, err, log.ErrBatchTooLarge, "max.message.bytes applies")
}
