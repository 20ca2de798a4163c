package partition

import (
	"fmt"
	"path/filepath"

	"github.com/commitlog-go/commitlog/internal/checkpoint"
)

// highWatermarkFile keeps a replicated partition's high watermark, in its
// directory beside the log's files, in internal/checkpoint's layout:
//
//	0\n          version
//	<offset>\n   the high watermark, decimal
//
// Kafka keeps the same value, for every partition of a log directory, in
// a file of this name at the directory's root. It is written by
// CheckpointHighWatermark and by Close, crash-safely, and read by Open.
// A missing or unreadable file means the log start: safe, since a leader
// learns the high watermark again from its followers' log ends, and a
// follower from its leader.
const highWatermarkFile = "replication-offset-checkpoint"

// loadHighWatermark is where a replicated partition's high watermark
// starts at Open: the checkpointed value, within the log (a crash may have
// cut the log below it), and the log start when there is none. When the
// partition is durable it is also held to the log's recovery point, below
// which records are on stable storage.
func (p *Partition) loadHighWatermark() int64 {
	l := p.log
	start, end := l.LogStartOffset(), l.LogEndOffset()
	path := filepath.Join(l.Dir(), highWatermarkFile)
	hw, ok, err := checkpoint.ReadOffset(p.fsys, path)
	logger := p.logger
	switch {
	case err != nil:
		logger.Warn("high watermark checkpoint unreadable: starting at the log start",
			"file", path, "log_start_offset", start, "err", err)
		hw = start
	case !ok:
		hw = start
	default:
		p.checkpointed = hw
	}
	if p.durable.Load() {
		end = min(end, l.RecoveryPoint())
	}
	if clamped := min(max(hw, start), end); clamped != hw {
		logger.Info("high watermark checkpoint outside the log: clamped",
			"file", path, "checkpointed", hw, "high_watermark", clamped, "log_start_offset", start, "log_end_offset", end)
		hw = clamped
	}
	return hw
}

// SetHighWatermark moves a replicated partition's high watermark up to hw,
// as its replication layer decides: a leader from the log ends of its
// in-sync replicas, a follower from what its leader said. The high
// watermark never moves back, and never past the log end (nor, when the
// partition is durable, past what is on stable storage: the log's recovery
// point), so a follower may pass its leader's value as it is. A move wakes
// the partition's waiters and readers, lets retention delete up to the new
// value, and runs the AwaitCommit callbacks it satisfies. It returns the
// high watermark afterwards.
//
// The new value reaches the disk at the next CheckpointHighWatermark (or
// Close). Errors: ErrNotReplicated, ErrClosed, and ErrReadOnly.
func (p *Partition) SetHighWatermark(hw int64) (int64, error) {
	if err := p.replicaCall(); err != nil {
		return p.HighWatermark(), p.wrap("set high watermark", err)
	}
	limit := p.log.LogEndOffset()
	if p.durable.Load() {
		limit = min(limit, p.log.RecoveryPoint())
	}
	p.advance(min(hw, limit))
	return p.HighWatermark(), nil
}

// CheckpointHighWatermark writes a replicated partition's high watermark
// to its file, crash-safely, if it changed since it was last written or
// read. A replication layer calls it every few seconds (Kafka: every
// replica.high.watermark.checkpoint.interval.ms, 5 s) and before giving up
// a role; Close calls it too. Errors: ErrNotReplicated, ErrClosed,
// ErrReadOnly, and the file system's.
func (p *Partition) CheckpointHighWatermark() error {
	if err := p.replicaCall(); err != nil {
		return p.wrap("checkpoint high watermark", err)
	}
	p.checkpointMu.Lock()
	defer p.checkpointMu.Unlock()
	hw := p.HighWatermark()
	if hw == p.checkpointed {
		return nil
	}
	path := filepath.Join(p.log.Dir(), highWatermarkFile)
	if err := checkpoint.WriteOffset(p.fsys, path, hw); err != nil {
		return p.wrap("checkpoint high watermark", fmt.Errorf("writing %s: %w", path, err))
	}
	p.checkpointed = hw
	return nil
}

// replicaCall checks that p accepts a call that only a replicated,
// writable, open partition does.
func (p *Partition) replicaCall() error {
	switch {
	case !p.replicated:
		return ErrNotReplicated
	case p.closed.Load():
		return ErrClosed
	case p.readOnly:
		return ErrReadOnly
	}
	return nil
}

// Replicated reports whether the partition is a replica of a replicated
// partition (see Options.Replicated).
func (p *Partition) Replicated() bool { return p.replicated }

// errBelowHW builds the error of a truncation that would take committed
// records away.
func (p *Partition) errBelowHW(offset int64) error {
	return fmt.Errorf("%w: offset %d, high watermark %d", ErrTruncationBelowHighWatermark, offset, p.HighWatermark())
}
