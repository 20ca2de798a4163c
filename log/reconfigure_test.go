package log

import (
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// changeable is o without the fields that hold functions and interfaces,
// so that two Options compare with require.Equal.
func changeable(o Options) Options {
	o.FS, o.Now, o.Logger, o.Metrics = nil, nil, nil, nil
	return o
}

// TestReconfigureOptions checks what Options returns, that Reconfigure
// defaults and validates its options as Open does, changes nothing when
// they are out of range, keeps the fields that cannot change, and refuses
// a closed log.
func TestReconfigureOptions(t *testing.T) {
	fsys := vfs.NewMem()
	c := newClock(1_700_000_000_000)
	logger, _ := logcapture.New()
	l := mustOpen(t, "/p", Options{FS: fsys, Now: c.now, Logger: logger, SegmentBytes: 1 << 20})
	opts := l.Options()
	require.Equal(t, changeable(Options{SegmentBytes: 1 << 20}.withDefaults()), changeable(opts))
	require.Equal(t, vfs.FS(fsys), opts.FS)
	require.Same(t, logger, opts.Logger)

	for _, bad := range []Options{
		{SegmentBytes: 10},
		{SegmentAge: -time.Second},
		{MaxBatchBytes: 1},
		{Flush: FlushAlways + 1},
		{FlushInterval: -time.Second},
		{Codec: compress.Codec(99)},
		{MaxIndexBytes: -1},
	} {
		err := l.Reconfigure(bad)
		require.ErrorIs(t, err, ErrInvalidConfig, "%+v", bad)
		require.Equal(t, changeable(opts), changeable(l.Options()), "a refused Reconfigure changed options")
	}

	otherLogger, _ := logcapture.New()
	require.NoError(t, l.Reconfigure(Options{
		FS: vfs.NewMem(), Now: time.Now, NoLock: true, ReadOnly: true, Logger: otherLogger, Metrics: metrics.Discard,
		SegmentBytes: 2 << 20, Flush: FlushEveryN, FlushRecords: 7, RetentionBytes: 1 << 30,
	}))
	got := l.Options()
	require.Equal(t, vfs.FS(fsys), got.FS, "FS is kept")
	require.Equal(t, reflect.ValueOf(c.now).Pointer(), reflect.ValueOf(got.Now).Pointer(), "Now is kept")
	require.Same(t, logger, got.Logger, "Logger is kept")
	require.False(t, got.NoLock)
	require.False(t, got.ReadOnly)
	want := opts
	want.SegmentBytes, want.Flush, want.FlushRecords, want.RetentionBytes = 2<<20, FlushEveryN, 7, 1<<30
	require.Equal(t, changeable(want), changeable(got))

	// A zero field is its default, not "unchanged".
	require.NoError(t, l.Reconfigure(Options{}))
	require.Equal(t, changeable(Options{}.withDefaults()), changeable(l.Options()))

	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Reconfigure(l.Options()), ErrClosed)
}

// TestReconfigureAppends checks the options an append reads: the limits on
// batch and segment size, the codec and the timestamp type apply from the
// next append on.
func TestReconfigureAppends(t *testing.T) {
	c := newClock(1_700_000_001_000) // just after the records: no roll by age
	l := mustOpen(t, "/p", Options{FS: vfs.NewMem(), Now: c.now, RetentionCheckInterval: -1})
	appendN(t, l, 0, 5, 5)
	_, err := l.AppendRecords(record.Record{Value: make([]byte, 500)})
	require.NoError(t, err)

	opts := l.Options()
	opts.MaxBatchBytes = 300
	opts.Codec = compress.LZ4
	opts.TimestampType = record.LogAppendTime
	opts.SegmentBytes = l.Size() + 200
	require.NoError(t, l.Reconfigure(opts))
	noise := make([]byte, 500) // which LZ4 cannot shrink
	for i := range noise {
		noise[i] = byte(i * i * 7919 >> 3)
	}
	_, err = l.AppendRecords(record.Record{Value: noise})
	require.ErrorIs(t, err, ErrBatchTooLarge)
	info, err := l.AppendRecords(rec(6), rec(7))
	require.NoError(t, err)
	require.Equal(t, int64(6), info.FirstOffset)
	require.Equal(t, 1, l.NumSegments(), "the batch fits the segment")
	info, err = l.AppendRecords(rec(8), rec(9))
	require.NoError(t, err)
	require.Equal(t, 2, l.NumSegments(), "rolled at the new segment size")

	out, _, err := l.Read(nil, info.FirstOffset, ReadOptions{})
	require.NoError(t, err)
	b := record.Batch(out)
	require.Equal(t, compress.LZ4, b.Attributes().Codec())
	require.Equal(t, record.LogAppendTime, b.Attributes().TimestampType())
	require.Equal(t, c.now().UnixMilli(), b.MaxTimestamp())
}

// TestReconfigureNextSegment checks that the index settings apply to the
// segments rolled after Reconfigure, and the active one keeps its own.
func TestReconfigureNextSegment(t *testing.T) {
	fsys := vfs.NewMem()
	l := mustOpen(t, "/p", Options{FS: fsys, IndexIntervalBytes: 1 << 20, RetentionCheckInterval: -1})
	indexSize := func(base int64) int64 {
		t.Helper()
		info, err := fsys.Stat(segment.Path("/p", base, segment.IndexExt))
		require.NoError(t, err)
		return info.Size()
	}
	appendN(t, l, 0, 100, 2)
	opts := l.Options()
	opts.IndexIntervalBytes = 64
	opts.MaxIndexBytes = 64 // eight offset entries, four time entries
	require.NoError(t, l.Reconfigure(opts))
	appendN(t, l, 100, 100, 2)
	require.Equal(t, 1, l.NumSegments(), "the active segment keeps its indexes")
	require.NoError(t, l.Roll())
	require.Zero(t, indexSize(0), "an entry every MiB")

	appendN(t, l, 200, 200, 2)
	require.Greater(t, l.NumSegments(), 3, "full indexes of 64 bytes roll the segments")
	require.Positive(t, indexSize(200), "an entry every 64 bytes")
	require.LessOrEqual(t, indexSize(200), int64(64))
	require.Equal(t, values(0, 400), readAll(t, l, 0))
}

// TestReconfigureSegmentAge checks that a new SegmentAge applies to the
// active segment, with its jitter drawn again: a jitter drawn under a long
// age and kept under a short one would roll every append.
func TestReconfigureSegmentAge(t *testing.T) {
	c := newClock(1_700_000_000_000)
	l := mustOpen(t, "/p", Options{FS: vfs.NewMem(), Now: c.now, SegmentAge: 100 * time.Hour,
		SegmentJitter: 100 * time.Hour, RetentionCheckInterval: -1})
	// Drawn below 100 hours, and almost surely above the 150 minutes the
	// segment is aged below.
	require.Greater(t, l.rollJitter, time.Duration(0))
	ts := c.now().UnixMilli()
	put := func(at int64) {
		t.Helper()
		_, err := l.AppendRecords(record.Record{Timestamp: at, Value: []byte("v")})
		require.NoError(t, err)
	}
	put(ts)

	opts := l.Options()
	opts.SegmentAge, opts.SegmentJitter = 3*time.Hour, 0
	require.NoError(t, l.Reconfigure(opts))
	require.Zero(t, l.rollJitter, "the jitter is drawn again")
	put(ts + 150*time.Minute.Milliseconds())
	require.Equal(t, 1, l.NumSegments(), "younger than the new age")
	put(ts + 181*time.Minute.Milliseconds())
	require.Equal(t, 2, l.NumSegments(), "older than the new age")
}

// TestReconfigureFlushInterval checks that the background flush starts,
// stops and starts again with the policy.
func TestReconfigureFlushInterval(t *testing.T) {
	l := mustOpen(t, "/p", Options{FS: vfs.NewMem(), RetentionCheckInterval: -1})
	waitDurable := func(end int64) {
		t.Helper()
		require.Eventually(t, func() bool { return l.RecoveryPoint() == end }, 10*time.Second, time.Millisecond)
	}
	appendN(t, l, 0, 10, 5)
	require.Zero(t, l.RecoveryPoint())

	opts := l.Options()
	opts.Flush, opts.FlushInterval = FlushInterval, 2*time.Millisecond
	require.NoError(t, l.Reconfigure(opts))
	waitDurable(10)

	opts.Flush = FlushNever
	require.NoError(t, l.Reconfigure(opts))
	appendN(t, l, 10, 10, 5)
	// Absence takes waiting: 25 periods of the interval turned off.
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, int64(10), l.RecoveryPoint(), "flushed after the interval was turned off")

	opts.Flush = FlushInterval
	require.NoError(t, l.Reconfigure(opts))
	waitDurable(20)
}

// TestReconfigureStricterFlushSyncs checks that turning on a stricter flush
// policy makes the records appended under the old one durable before
// Reconfigure returns, as far as the new policy promises: a power cut
// right after it keeps them.
func TestReconfigureStricterFlushSyncs(t *testing.T) {
	cases := []struct {
		name        string
		from, to    Options
		synced      bool
		appendAfter int64 // records appended after the switch that stay unsynced
	}{
		{name: "never to always", from: Options{Flush: FlushNever}, to: Options{Flush: FlushAlways}, synced: true},
		{name: "interval to always", from: Options{Flush: FlushInterval, FlushInterval: time.Hour}, to: Options{Flush: FlushAlways}, synced: true},
		{name: "never to every-n", from: Options{Flush: FlushNever}, to: Options{Flush: FlushEveryN, FlushRecords: 1000}, synced: true},
		{name: "every-n lowered below the count", from: Options{Flush: FlushEveryN, FlushRecords: 100}, to: Options{Flush: FlushEveryN, FlushRecords: 20}, synced: true},
		{name: "every-n lowered above the count", from: Options{Flush: FlushEveryN, FlushRecords: 100}, to: Options{Flush: FlushEveryN, FlushRecords: 60}, appendAfter: 5},
		{name: "always to never", from: Options{Flush: FlushAlways}, to: Options{Flush: FlushNever}, synced: true, appendAfter: 5},
		{name: "never to interval", from: Options{Flush: FlushNever}, to: Options{Flush: FlushInterval, FlushInterval: time.Hour}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := vfs.NewMem()
			from := c.from
			from.FS, from.RetentionCheckInterval = fsys, -1
			l := mustOpen(t, "/p", from)
			appendN(t, l, 0, 50, 5)
			to := c.to
			to.RetentionCheckInterval = -1
			require.NoError(t, l.Reconfigure(to))
			appendN(t, l, 50, c.appendAfter, 5)
			kept := int64(0)
			if c.synced {
				kept = 50
			}
			require.Equal(t, kept, l.RecoveryPoint())
			crashed := mustOpen(t, "/p", Options{FS: fsys.CrashClone(vfs.CrashOptions{})})
			require.Equal(t, kept, crashed.LogEndOffset(), "records that survive a power cut")
		})
	}
}

// TestReconfigureRetentionInterval checks that the background retention
// pass starts with a new interval, and that a Reconfigure leaving the
// interval as it is does not put the next pass off.
func TestReconfigureRetentionInterval(t *testing.T) {
	start := func(t *testing.T, interval time.Duration) *Log {
		base := int64(1_700_000_000_000)
		c := newClock(base)
		l := mustOpen(t, "/p", Options{FS: vfs.NewMem(), SegmentBytes: 1000, RetentionAge: time.Hour,
			RetentionCheckInterval: interval, Now: c.now})
		for i := range int64(10) {
			appendAt(t, l, base+minutes(i), 5)
		}
		require.Greater(t, l.NumSegments(), 4)
		c.set(base + minutes(600)) // every segment is past its age
		return l
	}
	t.Run("turned on", func(t *testing.T) {
		l := start(t, -1)
		opts := l.Options()
		opts.RetentionCheckInterval = 2 * time.Millisecond
		require.NoError(t, l.Reconfigure(opts))
		require.Eventually(t, func() bool { return l.LogStartOffset() == l.LogEndOffset() }, 10*time.Second, time.Millisecond)
	})
	t.Run("unchanged keeps its schedule", func(t *testing.T) {
		l := start(t, 30*time.Millisecond)
		deadline := time.Now().Add(10 * time.Second)
		for l.LogStartOffset() != l.LogEndOffset() {
			require.True(t, time.Now().Before(deadline), "no retention pass while Reconfigure was called again and again")
			require.NoError(t, l.Reconfigure(l.Options()))
			time.Sleep(time.Millisecond) // a caller polling its configuration
		}
	})
	t.Run("limits for the next pass", func(t *testing.T) {
		l := start(t, -1)
		opts := l.Options()
		opts.RetentionAge, opts.RetentionBytes = -1, 1500
		require.NoError(t, l.Reconfigure(opts))
		res, err := l.EnforceRetention()
		require.NoError(t, err)
		require.Positive(t, res.Segments, "deleted by size")
		require.GreaterOrEqual(t, l.Size(), int64(1500))
		require.Greater(t, l.LogEndOffset(), l.LogStartOffset(), "not by age")
	})
}

// TestReconfigureConcurrently changes every option that can change, again
// and again, while appends, reads, rolls, retention, syncs and the
// background loop run: under -race, it shows the options are read safely,
// and the log stays whole.
func TestReconfigureConcurrently(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l := mustOpen(t, dir, Options{FS: fsys, SegmentBytes: 4 << 10, RetentionAge: -1, RetentionCheckInterval: time.Millisecond})
		variants := []Options{
			{Flush: FlushAlways, SegmentBytes: 2 << 10, Codec: compress.LZ4, IndexIntervalBytes: 128, RetentionAge: -1, RetentionCheckInterval: time.Millisecond},
			{Flush: FlushEveryN, FlushRecords: 7, SegmentBytes: 8 << 10, TimestampType: record.LogAppendTime, RetentionAge: -1, RetentionCheckInterval: -1},
			{Flush: FlushInterval, FlushInterval: time.Millisecond, SegmentAge: time.Millisecond, SegmentJitter: time.Millisecond, MaxIndexBytes: 128, RetentionAge: -1},
			{Flush: FlushNever, RetentionBytes: 1 << 30, RetentionAge: -1, RetentionCheckInterval: 2 * time.Millisecond, Codec: compress.Zstd},
		}
		const batches = 3000
		stop := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		// loop calls fn until the appends are done, pausing between calls.
		loop := func(pause time.Duration, fn func() error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					case <-time.After(pause):
					}
					if err := fn(); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		var changes atomic.Int64
		loop(200*time.Microsecond, func() error {
			return l.Reconfigure(variants[changes.Add(1)%int64(len(variants))])
		})
		loop(100*time.Microsecond, func() error { _ = l.Options(); return nil })
		loop(100*time.Microsecond, func() error { return l.Sync(t.Context()) })
		loop(time.Millisecond, l.Roll)
		loop(500*time.Microsecond, func() error { _, err := l.EnforceRetention(); return err })
		r := l.NewReader(0)
		loop(100*time.Microsecond, func() error {
			for r.Next() {
			}
			return r.Err()
		})
		// At least batches appends, and through at least 50 changes.
		deadline := time.Now().Add(30 * time.Second)
		n := int64(0)
		for ; n < batches || changes.Load() < 50; n++ {
			require.True(t, time.Now().Before(deadline), "timed out")
			info, err := l.AppendRecords(rec(2*n), rec(2*n+1))
			require.NoError(t, err)
			require.Equal(t, 2*n, info.FirstOffset)
		}
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, int64(0), l.LogStartOffset())
		got := readAll(t, l, 0)
		require.Len(t, got, int(2*n))
		for n, v := range got {
			require.Equal(t, string(rec(int64(n)).Value), v)
		}
	})
}

// TestReconfigureRacesClose checks that Reconfigure called while the log
// closes neither hangs nor fails with anything but ErrClosed.
func TestReconfigureRacesClose(t *testing.T) {
	for range 20 {
		l, err := Open("/p", Options{FS: vfs.NewMem()})
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() {
			for {
				opts := l.Options()
				opts.Flush = FlushAlways - opts.Flush
				opts.FlushInterval = time.Millisecond
				if err := l.Reconfigure(opts); err != nil {
					done <- err
					return
				}
			}
		}()
		require.NoError(t, l.Close())
		select {
		case err := <-done:
			require.True(t, errors.Is(err, ErrClosed), "%v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("Reconfigure hung on a closing log")
		}
	}
}
