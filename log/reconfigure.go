package log

import (
	"context"
	"time"
)

// Reconfigure applies opts to the open log, as if it had been opened with
// them, for the fields that can change:
//
//   - SegmentBytes, SegmentAge, SegmentJitter, IndexIntervalBytes and
//     MaxIndexBytes from the next roll check and the next segment on. The
//     active segment keeps the indexes it has; a change of SegmentAge or
//     SegmentJitter draws its jitter again, as Open would.
//   - MaxBatchBytes, Codec and TimestampType from the next append.
//   - Flush, FlushRecords and FlushInterval at once: appends after
//     Reconfigure follow the new policy, and the background flush runs
//     every FlushInterval under FlushInterval only.
//   - RetentionAge and RetentionBytes from the next retention pass, and
//     RetentionCheckInterval at once: a new interval is counted from the
//     call, a negative one stops the background passes, and an unchanged
//     one keeps its schedule, so that calling Reconfigure often does not
//     put retention off.
//
// FS, Now, NoLock, NoBackground, ReadOnly, Logger and Metrics stay as the
// log was opened; their values in opts are ignored.
//
// opts is defaulted and validated as Open's are: a zero field means its
// default, not "unchanged", so a caller that changes one field passes
// Options() with that field changed. A field out of range fails with an
// error wrapping ErrInvalidConfig, and nothing changes. A closed log
// returns ErrClosed.
//
// A stricter flush policy covers the records appended before it, too.
// When the new policy is FlushAlways, or FlushEveryN and more records are
// unsynced than its FlushRecords allows (coming from another policy,
// which does not count them, any at all), Reconfigure makes every record
// appended so far durable before it returns: from then on every append
// that returned is durable under FlushAlways, and fewer than FlushRecords
// records are not under FlushEveryN. If that fsync fails, the new options
// are in effect, the error is the fsync's, and the log refuses writes as
// after any failed fsync. A read-only log syncs nothing.
//
// Reconfigure is safe to call at the same time as any other method. It
// may wait for a background flush or retention pass under way.
func (l *Log) Reconfigure(opts Options) error {
	opts = opts.withDefaults()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	old, next := l.opts, l.opts
	next.setChangeable(opts)
	if err := next.validate(); err != nil {
		l.mu.Unlock()
		return err
	}
	// Field by field, so that the fields that never change, which some
	// read without the writer lock, are not written.
	l.opts.setChangeable(opts)
	if next.SegmentAge != old.SegmentAge || next.SegmentJitter != old.SegmentJitter {
		l.rollJitter = next.rollJitter()
	}
	l.flush.settings.Store(next.flushSettings())
	sync := !next.ReadOnly && syncOnSwitch(old, next, l.flush.unflushed.Load())
	l.mu.Unlock()
	l.flush.rearm()
	if sync {
		return l.flush.syncTo(context.Background(), l.logEnd.Load())
	}
	return nil
}

// Options returns the options in effect: those the log was opened with,
// defaulted, as Reconfigure last changed them. FS is the file system
// given to Open, or its default.
func (l *Log) Options() Options {
	l.mu.Lock()
	o := l.opts
	l.mu.Unlock()
	if v, ok := o.FS.(*readOnlyFS); ok {
		o.FS = v.base
	}
	return o
}

// setChangeable copies to o the fields of from that Reconfigure changes.
// The writer lock guards these fields of Log.opts: they are read under it,
// but for the flusher's, which it reads from its own copy (flushSettings).
func (o *Options) setChangeable(from Options) {
	o.SegmentBytes = from.SegmentBytes
	o.SegmentAge = from.SegmentAge
	o.SegmentJitter = from.SegmentJitter
	o.IndexIntervalBytes = from.IndexIntervalBytes
	o.MaxIndexBytes = from.MaxIndexBytes
	o.MaxBatchBytes = from.MaxBatchBytes
	o.Codec = from.Codec
	o.TimestampType = from.TimestampType
	o.Flush = from.Flush
	o.FlushRecords = from.FlushRecords
	o.FlushInterval = from.FlushInterval
	o.RetentionAge = from.RetentionAge
	o.RetentionBytes = from.RetentionBytes
	o.RetentionCheckInterval = from.RetentionCheckInterval
}

// syncOnSwitch reports whether a change of options from old to next
// leaves unsynced records that next's flush policy would have synced;
// unflushed is the count FlushEveryN keeps.
func syncOnSwitch(old, next Options, unflushed int64) bool {
	switch next.Flush {
	case FlushAlways:
		return old.Flush != FlushAlways
	case FlushEveryN:
		return old.Flush != FlushEveryN || unflushed >= next.FlushRecords
	}
	return false
}

// flushSettings are the options the flusher reads without the writer
// lock: appends read them after they release it, and the background loop
// whenever Reconfigure rearms it. They are replaced whole, never changed.
type flushSettings struct {
	policy  FlushPolicy
	records int64 // FlushRecords
	// flushEvery is the background flush's period, 0 for none; retainEvery
	// the retention pass's, 0 or negative for none.
	flushEvery, retainEvery time.Duration
}

func (o Options) flushSettings() *flushSettings {
	s := &flushSettings{policy: o.Flush, records: o.FlushRecords, retainEvery: o.RetentionCheckInterval}
	if o.Flush == FlushInterval {
		s.flushEvery = o.FlushInterval
	}
	return s
}

// rearm has the background loop take up new flush settings, and returns
// once it has received them: it takes them up before it acts on another
// tick. It returns at once if the loop is not running.
func (f *flusher) rearm() {
	select {
	case f.rearmed <- struct{}{}:
	case <-f.done:
	}
}

// period is a ticker of the background loop that Reconfigure can start,
// stop and change. The zero value is stopped.
type period struct {
	t *time.Ticker
	d time.Duration
}

// set makes the ticker tick every d, or stops it if d is not positive. A
// ticker that already ticks every d is left alone, keeping its schedule.
func (p *period) set(d time.Duration) {
	switch {
	case d <= 0:
		if p.t != nil {
			p.t.Stop()
			p.t = nil
		}
	case p.t == nil:
		p.t = time.NewTicker(d)
	case d != p.d:
		p.t.Reset(d)
	}
	p.d = d
}

// C is the ticker's channel, nil (never ready) while it is stopped.
func (p *period) C() <-chan time.Time {
	if p.t == nil {
		return nil
	}
	return p.t.C
}
