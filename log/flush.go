package log

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/metrics"
)

// flusher makes appended data durable: on demand (Sync, and appends under
// FlushEveryN and FlushAlways), on a timer under FlushInterval, and in the
// background after a roll. Its fsyncs run outside the writer lock, so
// appends go on while it waits for the disk.
type flusher struct {
	log *Log

	// turn serialises fsyncs: a one-slot semaphore rather than a mutex,
	// so that a Sync waiting behind a slow fsync can give up when its
	// context ends. An fsync that finds the recovery point past what it
	// was asked to cover returns at once, which is how many appenders
	// share one fsync.
	turn chan struct{}
	// recoveryPoint is the offset below which every record is on stable
	// storage. A flush raises it, under raiseMu, only if no truncation
	// began since the flush read its target: a truncation that ran while
	// the fsync was in flight may have moved the log end below that
	// target, and offsets above the new end will be written again.
	// Truncations begin (Log.beginTruncation) under raiseMu, and only
	// they lower the recovery point.
	recoveryPoint atomic.Int64
	raiseMu       sync.Mutex
	unflushed     atomic.Int64 // records appended since the last flush

	kick chan struct{} // a roll asks for a background flush
	// settings are the options the flusher reads without the writer
	// lock, which Reconfigure replaces; rearmed has the goroutine take
	// them up.
	settings atomic.Pointer[flushSettings]
	rearmed  chan struct{}

	// ckptMu serialises writes of the recovery point file; checkpointed
	// is the value last written, -1 before the first.
	ckptMu       sync.Mutex
	checkpointed int64

	// pendingRecovery makes the goroutine flush as soon as it starts:
	// recovery leaves the recovered files unsynced.
	pendingRecovery bool
	// inline is Options.NoBackground: the flushes a roll or a recovery
	// asks for are marked due, and run by runDue at the end of the call
	// that asked, instead of by the goroutine.
	inline bool
	due    atomic.Bool
	quit   chan struct{}
	done   chan struct{}
}

func (f *flusher) start(l *Log) {
	f.log = l
	f.turn = make(chan struct{}, 1)
	f.kick = make(chan struct{}, 1)
	f.quit = make(chan struct{})
	f.done = make(chan struct{})
	f.rearmed = make(chan struct{})
	f.checkpointed = -1
	f.settings.Store(l.opts.flushSettings())
	if l.opts.ReadOnly {
		// Nothing to flush and no retention to enforce: no goroutine.
		l.useDurablePointOnDisk()
		close(f.done)
		return
	}
	if l.opts.NoBackground {
		f.inline = true
		f.due.Store(f.pendingRecovery)
		close(f.done)
		return
	}
	if f.pendingRecovery {
		f.kick <- struct{}{}
	}
	go f.run()
}

// run is the log's one background goroutine: it flushes (see above) and
// enforces retention every Options.RetentionCheckInterval.
func (f *flusher) run() {
	defer close(f.done)
	var tick, retain period
	arm := func() {
		s := f.settings.Load()
		tick.set(s.flushEvery)
		retain.set(s.retainEvery)
	}
	arm()
	defer tick.set(0)
	defer retain.set(0)
	for {
		select {
		case <-f.quit:
			return
		case <-f.rearmed:
			arm()
			continue
		case <-f.kick:
		case <-tick.C():
		case <-retain.C():
			// A failure here makes the log refuse writes, as an
			// append's would; the next call reports it.
			_, _ = f.log.EnforceRetention()
			continue
		}
		// A failed fsync makes the log refuse writes, and the next
		// append reports it. A failed checkpoint only means the next
		// unclean Open reads more segments than it needed to.
		if f.syncTo(context.Background(), f.log.logEnd.Load()) == nil {
			_ = f.checkpoint()
		}
	}
}

// stop ends the background goroutine and waits for it.
func (f *flusher) stop() error {
	close(f.quit)
	<-f.done
	return nil
}

// requestBackground asks the goroutine for a flush without waiting; under
// NoBackground it marks the flush due instead (see runDue).
func (f *flusher) requestBackground() {
	if f.inline {
		f.due.Store(true)
		return
	}
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// runDue runs, under NoBackground, the flush a roll or a recovery marked
// due, as the goroutine would have: its failure makes the log refuse
// writes, and the next write reports it. It is called, outside the writer
// lock, at the end of the calls that may roll and at the end of Open.
func (f *flusher) runDue() {
	if f.inline && f.due.Swap(false) {
		if f.syncTo(context.Background(), f.log.logEnd.Load()) == nil {
			_ = f.checkpoint()
		}
	}
}

// afterAppend applies the flush policy to an append that ended at end.
func (f *flusher) afterAppend(end int64, records int64) error {
	f.runDue()
	s := f.settings.Load()
	switch s.policy {
	case FlushAlways:
		return f.syncTo(context.Background(), end)
	case FlushEveryN:
		if f.unflushed.Add(records) >= s.records {
			return f.syncTo(context.Background(), end)
		}
	}
	return nil
}

// syncTo makes every record below end durable, if it is not already. It
// gives up with ctx's error if ctx ends while it waits for another fsync,
// or between the files it syncs; an fsync under way always completes.
func (f *flusher) syncTo(ctx context.Context, end int64) error {
	if f.log.opts.ReadOnly {
		return ErrReadOnly
	}
	if f.recoveryPoint.Load() >= end {
		return nil
	}
	select {
	case f.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-f.turn }()
	if f.recoveryPoint.Load() >= end {
		return nil // another fsync covered it while this one waited
	}
	l := f.log
	if failed := l.failed.Load(); failed != nil {
		return failed
	}
	// Everything appended up to this moment is in the files; the fsyncs
	// below cover at least that, unless a truncation moves the end first.
	gen := l.truncations.Load()
	target := l.logEnd.Load()
	records := f.unflushed.Swap(0)
	segs, release, err := l.acquireFrom(f.recoveryPoint.Load())
	if err != nil {
		f.unflushed.Add(records)
		return err
	}
	defer release()
	from, began := f.recoveryPoint.Load(), time.Now()
	for _, s := range segs {
		select {
		case <-f.quit:
			// Close is under way and flushes everything itself.
			f.unflushed.Add(records)
			return ErrClosed
		case <-ctx.Done():
			// What was synced stays synced; the next flush covers
			// the rest again.
			f.unflushed.Add(records)
			return ctx.Err()
		default:
		}
		if err := s.Flush(); err != nil {
			return l.fail(err)
		}
	}
	// The records below target that a truncation left in place were in
	// the files before the fsyncs, so the caller's are durable either
	// way; only the recovery point may have to wait for a later flush.
	f.raise(gen, target)
	l.metrics.Add(metrics.Fsyncs, metrics.Labels{}, 1)
	l.metrics.Observe(metrics.FsyncSeconds, metrics.Labels{}, time.Since(began).Seconds())
	l.metrics.Observe(metrics.FsyncRecords, metrics.Labels{}, float64(max(target-from, 0)))
	return nil
}

// raise moves the recovery point up to target, which a flush that began
// when the truncation count was gen has made durable, unless a truncation
// began since.
func (f *flusher) raise(gen, target int64) {
	f.raiseMu.Lock()
	defer f.raiseMu.Unlock()
	if f.log.unchangedSince(gen) && target > f.recoveryPoint.Load() {
		f.recoveryPoint.Store(target)
	}
}

// Sync makes every record appended so far durable, whatever the flush
// policy. Concurrent calls share fsyncs.
//
// If ctx ends while Sync waits for an fsync another call started, or
// between the files it syncs, Sync returns ctx's error: the records may
// or may not be durable yet, and a later Sync finishes the work. An fsync
// the disk is already performing cannot be interrupted, so a context
// bounds the wait, not the system call.
func (l *Log) Sync(ctx context.Context) error {
	if l.isClosed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return l.flush.syncTo(ctx, l.logEnd.Load())
}
