package log

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/crashtest"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// The tests in this file run one goroutine that appends single-record
// batches while another cuts the log's tail back, applies retention and
// moves the log start. Every record's value names the offset it was
// written at and a stamp that orders the appends: the append's sequence
// number, and above it the number of the child process that made it, so
// that stamps are comparable across the runs of a kill loop.

// stampedValue is the value of the record that the append stamped stamp
// writes at offset.
func stampedValue(offset, stamp int64) []byte {
	return fmt.Appendf(nil, "o%d-r%d-s%d", offset, stamp>>32, stamp&(1<<32-1))
}

// parseStampedValue reads back what stampedValue wrote.
func parseStampedValue(v []byte) (offset, stamp int64, ok bool) {
	o, rest, ok1 := strings.Cut(string(v), "-r")
	r, s, ok2 := strings.Cut(rest, "-s")
	off, err1 := strconv.ParseInt(strings.TrimPrefix(o, "o"), 10, 64)
	run, err2 := strconv.ParseInt(r, 10, 32)
	seq, err3 := strconv.ParseInt(s, 10, 32)
	if !ok1 || !ok2 || !strings.HasPrefix(o, "o") || err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, false
	}
	return off, run<<32 | seq, true
}

// racingTruncation is the workload. Its truncator never cuts below the
// last offset it published as safe: each target is at or above the one
// before, and it is at most the log end less one when the end was read,
// so that every record below it had been acknowledged then (appends are
// made one after another, and every batch is one record).
type racingTruncation struct {
	l   *Log
	run int64      // the high half of every stamp
	rng *rand.Rand // the truncator's

	// What the workload did, each reported by the goroutine that did it:
	// an append acknowledged; a bound below which no record will be
	// removed but by retention and DeleteRecordsBefore, published before
	// the truncation and the retention passes it bounds; a truncation
	// done, after which no record at or above offset has a stamp below
	// stamp.
	acked func(offset, stamp int64)
	safe  func(offset int64)
	cut   func(offset, stamp int64)

	// gate keeps truncations out of the time between an append's reading
	// the log end and the log's giving the record that offset, so that
	// each value names the offset the record lands at; a truncation still
	// runs while an append's fsync is in flight. The appender read-locks
	// it, the truncator locks it: a waiting Lock holds back the next
	// RLock, so that the appender, which takes it again at once, cannot
	// starve the truncator.
	gate sync.RWMutex
	// next is the stamp of the next append to take an offset, written by
	// the appender under the read lock and read under the lock.
	next int64

	truncations, retentions int // done by the truncator
}

// appendLoop makes n appends, or appends until an error if n is negative.
func (w *racingTruncation) appendLoop(n int) error {
	l := w.l
	for seq := int64(0); n < 0 || seq < int64(n); seq++ {
		stamp := w.run<<32 | seq
		w.gate.RLock()
		off := l.LogEndOffset()
		landed, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			defer cancel()
			info, err := l.AppendRecords(record.Record{Timestamp: 1_700_000_000_000 + seq, Value: stampedValue(off, stamp)})
			if err == nil && info.FirstOffset != off {
				err = fmt.Errorf("append %d landed at %d, not at the log end %d", seq, info.FirstOffset, off)
			}
			done <- err
		}()
		// Until the record has its offset, or the append has failed.
		_ = l.Wait(landed, off)
		w.next = stamp + 1
		w.gate.RUnlock()
		if err := <-done; err != nil {
			return fmt.Errorf("append %d at %d: %w", seq, off, err)
		}
		w.acked(off, stamp)
	}
	return nil
}

// truncateLoop truncates, and now and then applies retention and moves
// the log start, until ctx ends. Retention and DeleteRecordsBefore run
// before the truncation, while the log still runs past the bound.
func (w *racingTruncation) truncateLoop(ctx context.Context) error {
	l := w.l
	safe := l.LogStartOffset()
	retentionBytes := l.opts.RetentionBytes
	for i := 0; ; i++ {
		// Let the log grow by up to 20 records; the truncation takes
		// back up to 21, but never below the bound before.
		if err := waitForEnd(ctx, l, l.LogEndOffset()+1+w.rng.Int64N(20)); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		safe = max(safe, l.LogEndOffset()-1-w.rng.Int64N(21))
		w.safe(safe)
		if i%3 == 2 {
			// By size, and every other time as much as the bound allows.
			// The log reads its options under the writer lock.
			l.mu.Lock()
			l.opts.RetentionBytes = retentionBytes
			if w.retentions%2 == 1 {
				l.opts.RetentionBytes = 1
			}
			l.mu.Unlock()
			l.SetRetentionUpperBound(safe)
			if _, err := l.EnforceRetention(); err != nil {
				return fmt.Errorf("retention bounded by %d: %w", safe, err)
			}
			w.retentions++
		}
		if i%5 == 4 {
			start := l.LogStartOffset()
			if start > safe {
				return fmt.Errorf("log start %d past the retention bound %d", start, safe)
			}
			to := start + w.rng.Int64N(safe-start+1)
			if _, err := l.DeleteRecordsBefore(to); err != nil {
				return fmt.Errorf("deleting records before %d: %w", to, err)
			}
		}
		w.gate.Lock()
		stamp, before := w.next, l.LogEndOffset()
		err := l.TruncateTo(safe)
		after := l.LogEndOffset()
		w.gate.Unlock()
		if err != nil {
			return fmt.Errorf("truncating to %d: %w", safe, err)
		}
		if after != min(before, safe) {
			return fmt.Errorf("truncating to %d at log end %d left the end at %d", safe, before, after)
		}
		w.cut(safe, stamp)
		w.truncations++
	}
}

// waitForEnd blocks until the log end reaches goal, or ctx ends. Only the
// caller may cut the log meanwhile.
func waitForEnd(ctx context.Context, l *Log, goal int64) error {
	for {
		end := l.LogEndOffset()
		if end >= goal {
			return nil
		}
		if err := l.Wait(ctx, end); err != nil {
			return err
		}
	}
}

// cutHistory is what the workload had reported at some moment, and so
// what a log recovered from a crash after it must show.
type cutHistory struct {
	// safe is the last bound the truncator published, -1 for none: every
	// offset from the log start up to it must hold a record. pending says
	// the truncation to it may have begun and not yet been reported done.
	safe    int64
	pending bool
	// acked[o] is the stamp of the last acknowledged append at offset o,
	// -1 for none: a record there must be that one or a later one, and
	// it must be there unless a truncation may have removed it.
	acked []int64
	// cuts are the truncations done, as floors: no record at or above
	// offset has a stamp below stamp. Each floor kept lies above the ones
	// before it in both, since a later truncation's stamp is higher.
	cuts []stampFloor
}

type stampFloor struct{ offset, stamp int64 }

func (h *cutHistory) ack(offset, stamp int64) {
	for int64(len(h.acked)) <= offset {
		h.acked = append(h.acked, -1)
	}
	h.acked[offset] = max(h.acked[offset], stamp)
}

func (h *cutHistory) bound(offset int64) { h.safe, h.pending = offset, true }

func (h *cutHistory) cut(offset, stamp int64) {
	for len(h.cuts) > 0 && h.cuts[len(h.cuts)-1].offset >= offset {
		h.cuts = h.cuts[:len(h.cuts)-1]
	}
	h.cuts = append(h.cuts, stampFloor{offset, stamp})
	h.pending = false
}

func (h *cutHistory) clone() cutHistory {
	c := *h
	c.acked, c.cuts = slices.Clone(h.acked), slices.Clone(h.cuts)
	return c
}

// cutFloor is the lowest stamp a record at offset may have after the
// truncations done: a record written before one of them that reached
// offset is gone.
func (h *cutHistory) cutFloor(offset int64) int64 {
	i, _ := slices.BinarySearchFunc(h.cuts, offset+1, func(c stampFloor, o int64) int { return cmp.Compare(c.offset, o) })
	if i == 0 {
		return -1
	}
	return h.cuts[i-1].stamp
}

// floor is the lowest stamp a record at offset may have.
func (h *cutHistory) floor(offset int64) int64 {
	f := h.cutFloor(offset)
	if offset < int64(len(h.acked)) {
		f = max(f, h.acked[offset])
	}
	return f
}

// check reads the whole log and reports the first record, or missing
// record, that the history does not allow.
func (h *cutHistory) check(l *Log) error {
	start, end := l.LogStartOffset(), l.LogEndOffset()
	if h.safe >= 0 && (start > h.safe || end < h.safe) {
		return fmt.Errorf("log [%d, %d) does not hold offset %d and every record below it", start, end, h.safe)
	}
	for o := end; o < int64(len(h.acked)); o++ {
		if s := h.acked[o]; s >= 0 && s >= h.cutFloor(o) && (!h.pending || o < h.safe) {
			return fmt.Errorf("log [%d, %d) lost the record acknowledged at offset %d (stamp %#x), which no truncation removed", start, end, o, s)
		}
	}
	r := l.NewReader(start)
	next := start
	for r.Next() {
		rr := r.Record()
		off, stamp, ok := parseStampedValue(rr.Value)
		switch {
		case rr.Offset != next:
			return fmt.Errorf("record at offset %d where %d was due", rr.Offset, next)
		case !ok || off != rr.Offset:
			return fmt.Errorf("record at offset %d holds %q, written elsewhere", rr.Offset, rr.Value)
		case stamp < h.floor(off):
			return fmt.Errorf("record at offset %d holds %q: stamp %#x, below %#x, the last append acknowledged there or the last truncation over it",
				off, rr.Value, stamp, h.floor(off))
		}
		next++
	}
	if err := r.Err(); err != nil {
		return err
	}
	if next != end {
		return fmt.Errorf("records end at %d, the log at %d", next, end)
	}
	return nil
}

// TestCrashMatrixConcurrentTruncation runs the workload on the in-memory
// filesystem with fsynced appends, small segments, retention by size and
// DeleteRecordsBefore, taking a crash clone before every sync, rename and
// remove and a torn one before a random third of all changes. Every clone
// must open to a log holding every offset below the bound the truncator
// had published and every acknowledged record no truncation may have
// removed, each record the one written at its offset and no older than
// the last append acknowledged there or the last truncation over it.
// Segment fsyncs are slowed so that truncations overlap them: one that
// races an append's fsync must not leave the recovery point past the new
// end, or the appends after it would be acknowledged unsynced and lost
// here.
//
// It runs 3 seeds, and a tenth of -crash.iterations if more.
func TestCrashMatrixConcurrentTruncation(t *testing.T) {
	for seed := range uint64(max(3, crashtest.Iterations()/10)) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { crashMatrixConcurrent(t, seed) })
	}
}

func crashMatrixConcurrent(t *testing.T, seed uint64) {
	mem := vfs.NewMem()
	require.NoError(t, mem.MkdirAll("/d", 0o755))
	require.NoError(t, mem.SyncDir("/"))
	var mu sync.Mutex
	h := cutHistory{safe: -1}
	x := crashtest.NewMatrix(mem, seed, 0.33, func() cutHistory { mu.Lock(); defer mu.Unlock(); return h.clone() })
	// Segment fsyncs take a while, as a disk's do, so that truncations
	// overlap them.
	slow := vfs.Hook(x.FS(), func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && strings.HasSuffix(op.Path, segment.LogExt) {
			time.Sleep(rand.N(300 * time.Microsecond))
		}
		return nil
	})
	opts := Options{FS: slow, Flush: FlushAlways, SegmentBytes: 1500, MaxIndexBytes: 4096, IndexIntervalBytes: 64,
		RetentionAge: -1, RetentionBytes: 3000, RetentionCheckInterval: -1}
	x.Start()
	l, err := Open("/d/p", opts)
	require.NoError(t, err)
	defer func() { l.Close() }()

	w := &racingTruncation{l: l, rng: rand.New(rand.NewPCG(seed, 5)),
		acked: func(offset, stamp int64) { mu.Lock(); h.ack(offset, stamp); mu.Unlock() },
		safe:  func(offset int64) { mu.Lock(); h.bound(offset); mu.Unlock() },
		cut:   func(offset, stamp int64) { mu.Lock(); h.cut(offset, stamp); mu.Unlock() },
	}
	ctx, stop := context.WithCancel(context.Background())
	var truncErr error
	var wg sync.WaitGroup
	wg.Go(func() { truncErr = w.truncateLoop(ctx) })
	const appends = 500
	appendErr := w.appendLoop(appends)
	stop()
	wg.Wait()
	clones := x.Stop()
	require.NoError(t, appendErr)
	require.NoError(t, truncErr)
	require.Greater(t, w.truncations, 15, "the workload truncates")
	require.Positive(t, l.LogStartOffset(), "retention and DeleteRecordsBefore move the log start")
	require.NoError(t, l.Close())
	// The log as it was left holds what every clone must hold and more.
	final, err := Open("/d/p", Options{FS: mem, RetentionCheckInterval: -1})
	require.NoError(t, err)
	require.NoError(t, h.check(final))
	require.NoError(t, final.Close())

	exact, torn := 0, 0
	for i, c := range clones {
		if c.Torn {
			torn++
		} else {
			exact++
		}
		copts := opts
		copts.FS = c.FS
		cl, err := Open("/d/p", copts)
		where := fmt.Sprintf("clone %d of %d, before %s %s, torn %v", i, len(clones), c.Op.Kind, c.Op.Path, c.Torn)
		require.NoError(t, err, where)
		if err := c.Acked.check(cl); err != nil {
			t.Logf("%s", c.FS)
			t.Fatalf("%s: %v", where, err)
		}
		require.NoError(t, cl.Close(), where)
	}
	t.Logf("%d appends, %d truncations, %d retention passes; %d exact clones, %d torn", appends, w.truncations, w.retentions, exact, torn)
}

// truncatingKillOptions are the child's and the parent's: small segments
// and retention by size keep the log to a few hundred records however
// many the children append.
var truncatingKillOptions = Options{SegmentBytes: 1500, IndexIntervalBytes: 128, RetentionAge: -1,
	RetentionBytes: 6000, RetentionCheckInterval: -1}

// TestCrashChildTruncating is the child of
// TestCrashKillDuringAppendAndTruncate: it runs the workload, printing
// "ack <offset> <stamp>" after each acknowledged append, "safe <offset>"
// as the truncator publishes a bound and "cut <offset> <stamp>" after each
// truncation, until it is killed; with an fsync per append in even rounds,
// with none in odd ones.
func TestCrashChildTruncating(t *testing.T) {
	dir, ok := crashtest.ChildDir()
	if !ok {
		t.Skip("run by TestCrashKillDuringAppendAndTruncate in a child process")
	}
	run := crashtest.ChildRun()
	opts := truncatingKillOptions
	opts.Flush = FlushAlways
	if run%2 == 1 {
		opts.Flush = FlushNever
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	fail := func(err error) {
		say("failed: %v", err)
		os.Exit(2)
	}
	l, err := Open(dir, opts)
	if err != nil {
		fail(err)
	}
	w := &racingTruncation{l: l, run: int64(run), rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2)),
		acked: func(offset, stamp int64) { say("ack %d %d", offset, stamp) },
		safe:  func(offset int64) { say("safe %d", offset) },
		cut:   func(offset, stamp int64) { say("cut %d %d", offset, stamp) },
	}
	go func() {
		fail(fmt.Errorf("truncations ended: %v", w.truncateLoop(context.Background())))
	}()
	fail(fmt.Errorf("appends ended: %v", w.appendLoop(-1)))
}

// TestCrashKillDuringAppendAndTruncate kills the workload's process with
// SIGKILL at random moments, under both flush policies, and reopens its
// log each time. A killed process leaves its writes in the page cache, so
// every record must survive that the history it printed requires: every
// offset from the log start below its last bound, every acknowledged
// record no truncation may have removed, each record the one written
// there, and none older than the last append acknowledged at its offset
// or the last truncation over it, in this run or an earlier one.
func TestCrashKillDuringAppendAndTruncate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	h := cutHistory{safe: -1}
	var acks, cuts int
	var start, end int64
	crashtest.Run(t, crashtest.Options{
		Child: "TestCrashChildTruncating",
		Dir:   dir,
		Line: func(line string) error {
			verb, rest, _ := strings.Cut(line, " ")
			var args []int64
			for f := range strings.FieldsSeq(rest) {
				n, err := strconv.ParseInt(f, 10, 64)
				if err != nil {
					return fmt.Errorf("child said: %s", line)
				}
				args = append(args, n)
			}
			switch {
			case verb == "ack" && len(args) == 2:
				h.ack(args[0], args[1])
				acks++
			case verb == "cut" && len(args) == 2:
				h.cut(args[0], args[1])
				cuts++
			case verb == "safe" && len(args) == 1:
				h.bound(args[0])
			default:
				return fmt.Errorf("child said: %s", line)
			}
			return nil
		},
		Check: func(t *testing.T, i int) {
			l, err := Open(dir, truncatingKillOptions)
			require.NoError(t, err)
			defer l.Close()
			require.NoError(t, h.check(l), "after kill %d", i)
			start, end = l.LogStartOffset(), l.LogEndOffset()
			// The reopen finished any truncation the kill interrupted: what
			// the log does not hold now will not come back, and the next
			// child publishes its own bounds.
			h.acked = h.acked[:min(int64(len(h.acked)), l.LogEndOffset())]
			h.safe, h.pending = -1, false
		},
	})
	t.Logf("%d kills, %d appends acknowledged, %d truncations; the log holds [%d, %d)", crashtest.Iterations(), acks, cuts, start, end)
}
