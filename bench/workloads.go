package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// sizes are how much each workload does: the full figures the issue of
// record states, or a quick run that only proves the harness works.
type sizes struct {
	records     int64         // (a) (d) (e): 100-byte records
	syncedFor   time.Duration // (b): at most this long
	durableFor  time.Duration // (c): this long
	randomReads int           // (e)
	openBytes   int64         // (f): log size
	partitions  int           // (g)
	zipRecords  int64         // (h): 1 KiB records
	machine     int64         // bytes for the machine's limits
	fsyncs      int           // fdatasync samples
}

var fullSizes = sizes{
	records: 2_000_000, syncedFor: 5 * time.Second, durableFor: 3 * time.Second,
	randomReads: 100_000, openBytes: 1 << 30, partitions: 1000, zipRecords: 200_000,
	machine: 512 << 20, fsyncs: 200,
}

var quickSizes = sizes{
	records: 100_000, syncedFor: 200 * time.Millisecond, durableFor: 200 * time.Millisecond,
	randomReads: 10_000, openBytes: 16 << 20, partitions: 50, zipRecords: 10_000,
	machine: 32 << 20, fsyncs: 10,
}

const (
	batchLen          = 100 // records per batch
	durableGoroutines = 64
	partitionRecords  = 100 // records in each partition of (g)
)

// metric is one figure a workload reports.
type metric struct {
	key    string
	unit   string
	higher bool // higher is better
	// checked marks figures of recovery, compared only with stores that
	// read and check their whole log when they open after a crash: a
	// store that reads nothing opens faster by doing less.
	checked bool
}

// workload is one row group of the table. Its phases run one after the
// other in fresh child processes on the same directory, so that a phase
// that opens a log pays what a new process pays, and a phase may end
// without closing its store, as a crash would.
type workload struct {
	id, title string
	phases    []string
	metrics   []metric
	// codec is the compression the store is opened with; only stores that
	// compress run a workload with a codec.
	codec string
}

var workloads = []workload{
	{id: "a", title: "append 100 B records, batches of 100, no fsync",
		phases: []string{"append"}, metrics: []metric{{key: "append records/s", unit: "records/s", higher: true}}},
	{id: "b", title: "append, batches of 100, fsync per batch",
		phases: []string{"append-synced"}, metrics: []metric{{key: "synced records/s", unit: "records/s", higher: true}, {key: "batch µs", unit: "µs per batch", higher: false}}},
	{id: "c", title: "64 goroutines append one record each, durable acknowledgement",
		phases: []string{"durable"}, metrics: []metric{{key: "durable records/s", unit: "records/s", higher: true}}},
	{id: "d/e", title: "read back 100 B records: sequential, records decoded; random by offset",
		phases: []string{"build", "scan", "random"}, metrics: []metric{{key: "scan records/s", unit: "records/s", higher: true}, {key: "random reads/s", unit: "reads/s", higher: true}}},
	{id: "f", title: "open a 1 GiB log: after a crash, after a clean close",
		phases: []string{"build-crash", "recover", "open"}, metrics: []metric{{key: "recover ms", unit: "ms", higher: false, checked: true}, {key: "recover GB/s", unit: "GB/s", higher: true, checked: true}, {key: "open ms", unit: "ms", higher: false}}},
	{id: "g", title: "1,000 idle partitions of 100 records: open time, memory, descriptors",
		phases: []string{"partitions-build", "partitions-open"}, metrics: []metric{{key: "partitions open ms", unit: "ms", higher: false}, {key: "KiB/partition", unit: "KiB per partition", higher: false}, {key: "fds/partition", unit: "fds per partition", higher: false}}},
	{id: "h", title: "1 KiB records, zstd", codec: "zstd",
		phases: []string{"zip"}, metrics: []metric{{key: "zip in MB/s", unit: "MB/s in", higher: true}, {key: "zip out MB/s", unit: "MB/s out", higher: true}, {key: "zip ratio", unit: "disk / input", higher: false}}},
	{id: "h", title: "1 KiB records, lz4", codec: "lz4",
		phases: []string{"zip"}, metrics: []metric{{key: "zip in MB/s", unit: "MB/s in", higher: true}, {key: "zip out MB/s", unit: "MB/s out", higher: true}, {key: "zip ratio", unit: "disk / input", higher: false}}},
}

// result is what a phase measured, by metric key; crash set means the
// phase must end without closing its store.
type result struct {
	metrics map[string]float64
	crash   bool
}

// runPhase runs one phase of workload w for store k in dir.
func runPhase(k storeKind, w workload, phase, dir string, sz sizes) (result, error) {
	res := result{metrics: map[string]float64{}}
	small := newValues(100, false)
	o := storeOptions{codec: w.codec}
	switch phase {
	case "append":
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		defer s.close()
		start := time.Now()
		if err := appendRecords(s, small, sz.records, 0); err != nil {
			return res, err
		}
		res.metrics["append records/s"] = float64(sz.records) / time.Since(start).Seconds()
	case "append-synced":
		o.syncEachAppend = true
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		defer s.close()
		start := time.Now()
		m := newBatchMaker(small, batchLen)
		var batches int
		for m.next < sz.records && time.Since(start) < sz.syncedFor {
			if err := s.appendBatch(m.make(batchLen)); err != nil {
				return res, err
			}
			batches++
		}
		elapsed := time.Since(start)
		res.metrics["synced records/s"] = float64(m.next) / elapsed.Seconds()
		res.metrics["batch µs"] = float64(elapsed.Microseconds()) / float64(batches)
	case "durable":
		o.syncEachAppend = true
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		defer s.close()
		n, elapsed, err := appendConcurrently(s, small, sz.durableFor)
		if err != nil {
			return res, err
		}
		res.metrics["durable records/s"] = float64(n) / elapsed.Seconds()
	case "build":
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		if err := appendRecords(s, small, sz.records, 0); err != nil {
			s.close()
			return res, err
		}
		return res, s.close()
	case "scan":
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		defer s.close()
		start := time.Now()
		n, err := scanAll(s, small)
		if err != nil {
			return res, err
		}
		if n != sz.records {
			return res, fmt.Errorf("scan read %d records, want %d", n, sz.records)
		}
		res.metrics["scan records/s"] = float64(n) / time.Since(start).Seconds()
	case "random":
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		defer s.close()
		rng := rand.New(rand.NewPCG(3, 4))
		var buf []byte
		start := time.Now()
		for range sz.randomReads {
			seq := rng.Int64N(sz.records)
			if buf, err = s.read(buf[:0], seq); err != nil {
				return res, err
			}
			if err := small.check(buf, seq); err != nil {
				return res, err
			}
		}
		res.metrics["random reads/s"] = float64(sz.randomReads) / time.Since(start).Seconds()
	case "build-crash":
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		if err := appendRecords(s, small, sz.openBytes/int64(small.size), 0); err != nil {
			return res, err
		}
		// The process exits without closing: what a crash leaves, but
		// with everything in the page cache, as after a process crash.
		res.crash = true
	case "recover", "open":
		size, err := dirSize(dir)
		if err != nil {
			return res, err
		}
		start := time.Now()
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		elapsed := time.Since(start)
		if phase == "recover" {
			res.metrics["recover ms"] = float64(elapsed.Microseconds()) / 1e3
			res.metrics["recover GB/s"] = float64(size) / elapsed.Seconds() / 1e9
		} else {
			res.metrics["open ms"] = float64(elapsed.Microseconds()) / 1e3
		}
		// Check that the log holds what was written, outside the timing.
		want := sz.openBytes/int64(small.size) - 1
		if _, err := s.read(nil, want); err != nil {
			s.close()
			return res, fmt.Errorf("after open, record %d: %w", want, err)
		}
		return res, s.close()
	case "partitions-build":
		c, err := openPartitions(k, dir, sz.partitions, small, true)
		if err != nil {
			return res, err
		}
		return res, c.Close()
	case "partitions-open":
		before, err := measureProcess()
		if err != nil {
			return res, err
		}
		start := time.Now()
		c, err := openPartitions(k, dir, sz.partitions, small, false)
		if err != nil {
			return res, err
		}
		elapsed := time.Since(start)
		after, err := measureProcess()
		c.Close()
		if err != nil {
			return res, err
		}
		n := float64(sz.partitions)
		res.metrics["partitions open ms"] = float64(elapsed.Microseconds()) / 1e3
		res.metrics["KiB/partition"] = float64(after.rss-before.rss) / 1024 / n
		res.metrics["fds/partition"] = float64(after.fds-before.fds) / n
	case "zip":
		big := newValues(1024, true)
		s, err := k.open(dir, o)
		if err != nil {
			return res, err
		}
		start := time.Now()
		if err := appendRecords(s, big, sz.zipRecords, 0); err != nil {
			s.close()
			return res, err
		}
		mb := float64(sz.zipRecords) * float64(big.size) / 1e6
		res.metrics["zip in MB/s"] = mb / time.Since(start).Seconds()
		if err := s.close(); err != nil {
			return res, err
		}
		size, err := dirSize(dir)
		if err != nil {
			return res, err
		}
		res.metrics["zip ratio"] = float64(size) / (mb * 1e6)
		if s, err = k.open(dir, o); err != nil {
			return res, err
		}
		defer s.close()
		start = time.Now()
		n, err := scanAll(s, big)
		if err != nil {
			return res, err
		}
		if n != sz.zipRecords {
			return res, fmt.Errorf("scan read %d records, want %d", n, sz.zipRecords)
		}
		res.metrics["zip out MB/s"] = mb / time.Since(start).Seconds()
	default:
		return res, fmt.Errorf("no phase %q", phase)
	}
	return res, nil
}

// appendRecords appends n records from sequence number first on, in
// batches of batchLen.
func appendRecords(s store, v *values, n, first int64) error {
	m := newBatchMaker(v, batchLen)
	m.next = first
	for m.next < first+n {
		if err := s.appendBatch(m.make(int(min(batchLen, first+n-m.next)))); err != nil {
			return fmt.Errorf("append at %d: %w", m.next, err)
		}
	}
	return nil
}

// appendConcurrently has durableGoroutines goroutines call appendDurable
// for d, and returns how many records were acknowledged and how long it
// took all of them to finish.
func appendConcurrently(s store, v *values, d time.Duration) (int64, time.Duration, error) {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	deadline := start.Add(d)
	for range durableGoroutines {
		wg.Go(func() {
			buf := make([]byte, v.size)
			for time.Now().Before(deadline) {
				// Sequence numbers say which goroutine took which value, not
				// where the store puts it: concurrent appends land in any
				// order.
				if err := s.appendDurable(v.fill(buf, next.Add(1)-1)); err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return next.Load(), time.Since(start), firstErr
}

// scanAll reads every record, checking each is the next, and returns how
// many there were.
func scanAll(s store, v *values) (int64, error) {
	var n int64
	err := s.scan(func(seq int64, value []byte) error {
		if seq != n {
			return fmt.Errorf("scan: record %d came as sequence number %d", n, seq)
		}
		if err := v.check(value, n); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// openPartitions opens n partitions under dir, filling each with
// partitionRecords records first if fill is set. commitlog's are one
// topic of n partitions in a registry; a peer's are n stores in
// directories of their own, which is how an application would use it.
func openPartitions(k storeKind, dir string, n int, v *values, fill bool) (io.Closer, error) {
	if k.name == ours {
		return openCommitlogPartitions(dir, n, v, fill)
	}
	var all closers
	for i := range n {
		s, err := k.open(filepath.Join(dir, fmt.Sprintf("p-%d", i)), storeOptions{})
		if err != nil {
			all.Close()
			return nil, err
		}
		all = append(all, s)
		if fill {
			if err := appendRecords(s, v, partitionRecords, 0); err != nil {
				all.Close()
				return nil, err
			}
		}
	}
	return all, nil
}

// closers closes a list of stores.
type closers []store

func (c closers) Close() error {
	var first error
	for _, s := range c {
		if err := s.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// dirSize is the disk space the regular files under dir take: blocks,
// not lengths, so that preallocated sparse files count for what they
// hold.
func dirSize(dir string) (int64, error) {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			size += st.Blocks * 512
		} else {
			size += info.Size()
		}
		return nil
	})
	return size, err
}
