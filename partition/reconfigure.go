package partition

import (
	"errors"

	"github.com/commitlog-go/commitlog/log"
)

// Reconfigure applies opts.Log and opts.Durable to the open partition, as
// if it had been opened with them; Topic, Index, OnAdvance and Replicated
// stay as they were. opts.Log is applied as log.Log.Reconfigure applies it, with
// its flush policy overridden to log.FlushAlways when Durable is set.
//
// Turning Durable on syncs every record the log holds before Reconfigure
// returns; from then on appends return only once durable and the high
// watermark follows the durable point, as for a partition opened durable.
// Turning it off moves the high watermark of an unreplicated partition to
// the log end at once, waking its waiters: the records written and not yet synced are committed, as
// they would have been had the partition never been durable. A read-only
// partition syncs nothing, and its high watermark never moves back.
//
// Options out of range fail with an error wrapping ErrInvalidConfig, and
// nothing changes; a closed partition returns ErrClosed. If the sync that
// turning Durable on makes fails, the new options are in effect and the
// log refuses writes, as after any failed fsync.
func (p *Partition) Reconfigure(opts Options) error {
	p.reconfigureMu.Lock()
	defer p.reconfigureMu.Unlock()
	if p.closed.Load() {
		return p.wrap("reconfigure", ErrClosed)
	}
	logOpts := opts.Log
	if opts.Durable {
		logOpts.Flush = log.FlushAlways
	}
	err := p.log.Reconfigure(logOpts)
	if errors.Is(err, ErrInvalidConfig) || errors.Is(err, ErrClosed) {
		return p.wrap("reconfigure", err)
	}
	if p.durable.Swap(opts.Durable) && !opts.Durable && !p.replicated {
		p.advance(p.log.LogEndOffset())
	}
	return p.wrap("reconfigure", err)
}

// Options returns the options in effect: Topic, Index, OnAdvance and
// Replicated as the partition was opened with them, Durable as last set, and Log as
// log.Log.Options returns it, defaulted, with the flush policy the log
// follows (log.FlushAlways while Durable is set).
func (p *Partition) Options() Options {
	p.reconfigureMu.Lock()
	defer p.reconfigureMu.Unlock()
	return Options{Topic: p.topic, Index: p.index, Log: p.log.Options(), Durable: p.durable.Load(),
		OnAdvance: p.onAdvance, Replicated: p.replicated}
}
