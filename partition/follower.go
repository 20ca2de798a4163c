package partition

import (
	"context"
	"errors"

	"github.com/commitlog-go/commitlog/log"
)

// The calls of this file are what a replication layer needs of a
// replicated partition beyond a leader's appends and a consumer's reads:
// a follower's appends and truncations, the leader-epoch history, and the
// log's own end and durable point. They go through the partition rather
// than around it, so that the high watermark stays consistent with the log
// beneath: no truncation passes below it unless asked to.

// AppendFollower appends batches copied from the leader, with the offsets
// and leader epochs they carry (see log.Log.AppendFollower). It does not
// move the high watermark.
//
// Kafka's one exception to "the first batch starts at or after the log
// end" is kept: when the log is empty (its start is its end) and the first
// batch begins below the end and reaches it, which happens when the
// leader's log start lies inside a batch after a DeleteRecords, the log
// restarts at the batch's base offset (TruncateFullyAndStartAt) and takes
// the batches. Any other misplaced batch is an *UnexpectedOffsetError.
func (p *Partition) AppendFollower(data []byte) (log.AppendInfo, error) {
	if err := p.replicaCall(); err != nil {
		return log.AppendInfo{}, p.wrap("append follower", err)
	}
	info, err := p.log.AppendFollower(data)
	var unexpected *log.UnexpectedOffsetError
	if errors.As(err, &unexpected) && p.straddlesEmptyLog(unexpected) {
		p.logger.Info("follower append begins below the log start of an empty log: the log restarts at its first offset",
			"first_offset", unexpected.FirstOffset, "last_offset", unexpected.LastOffset, "log_start_offset", unexpected.LogEnd)
		if err := p.truncateFully(unexpected.FirstOffset); err != nil {
			return log.AppendInfo{}, err
		}
		info, err = p.log.AppendFollower(data)
	}
	return info, p.wrap("append follower", err)
}

// straddlesEmptyLog reports whether a refused follower append is the one
// Kafka accepts by restarting the log: the log is empty, and the append's
// first batch begins below its end and its records reach it.
func (p *Partition) straddlesEmptyLog(e *log.UnexpectedOffsetError) bool {
	return e.BatchOffset == e.FirstOffset && e.LogEnd == p.log.LogStartOffset() &&
		e.FirstOffset < e.LogEnd && e.LastOffset >= e.LogEnd
}

// TruncateTo removes every record at or after offset, as a follower does
// when its log has diverged from its leader's (see log.Log.TruncateTo). An
// offset below the high watermark would take committed records away and
// is refused with ErrTruncationBelowHighWatermark; an offset at or past
// the log end changes nothing but the epoch history.
func (p *Partition) TruncateTo(offset int64) error {
	if err := p.replicaCall(); err != nil {
		return p.wrap("truncate", err)
	}
	if offset < p.HighWatermark() {
		return p.wrap("truncate", p.errBelowHW(offset))
	}
	return p.wrap("truncate", p.log.TruncateTo(offset))
}

// TruncateBelowHighWatermark is TruncateTo for the one case that may take
// committed records away: a replica that follows a leader elected
// uncleanly (outside the in-sync replicas), whose log ends below this
// one's high watermark. The high watermark moves down to the new log end
// if it was above it, and the waiters and readers are woken; records a
// consumer has read may be gone. A replication layer reports the loss.
func (p *Partition) TruncateBelowHighWatermark(offset int64) error {
	if err := p.replicaCall(); err != nil {
		return p.wrap("truncate", err)
	}
	if err := p.log.TruncateTo(offset); err != nil {
		return p.wrap("truncate", err)
	}
	p.lowerHighWatermark(p.log.LogEndOffset())
	return nil
}

// TruncateFullyAndStartAt empties the log and restarts it at offset (see
// log.Log.TruncateFullyAndStartAt), as a follower does when its leader no
// longer holds the records after the follower's end. The high watermark
// becomes offset. An offset below the high watermark is refused with
// ErrTruncationBelowHighWatermark: a follower whose end fell below its
// leader's log start has nothing committed that the leader still holds
// past it.
func (p *Partition) TruncateFullyAndStartAt(offset int64) error {
	if err := p.replicaCall(); err != nil {
		return p.wrap("truncate fully", err)
	}
	if offset < p.HighWatermark() {
		return p.wrap("truncate fully", p.errBelowHW(offset))
	}
	return p.truncateFully(offset)
}

// truncateFully restarts the log at offset and moves the high watermark
// there.
func (p *Partition) truncateFully(offset int64) error {
	if err := p.log.TruncateFullyAndStartAt(offset); err != nil {
		return p.wrap("truncate fully", err)
	}
	if offset >= p.HighWatermark() {
		p.advance(offset)
	} else {
		p.lowerHighWatermark(offset)
	}
	return nil
}

// lowerHighWatermark moves the high watermark down to hw, if it is above,
// for the truncations that may. It wakes waiters and readers.
func (p *Partition) lowerHighWatermark(hw int64) {
	for {
		cur := p.highWatermark.Load()
		if cur <= hw {
			return
		}
		if p.highWatermark.CompareAndSwap(cur, hw) {
			break
		}
	}
	p.log.SetRetentionUpperBound(hw)
	p.changes.Broadcast()
	if p.onAdvance != nil {
		p.onAdvance()
	}
}

// SetLeaderEpoch makes epoch the leader epoch stamped on every batch the
// partition appends as leader, and records it in the epoch history as
// starting at the log end (see log.Log.SetLeaderEpoch). A replica that
// becomes leader calls it before its first append.
func (p *Partition) SetLeaderEpoch(epoch int32) error {
	if err := p.replicaCall(); err != nil {
		return p.wrap("set leader epoch", err)
	}
	return p.wrap("set leader epoch", p.log.SetLeaderEpoch(epoch))
}

// LeaderEpoch is the epoch the partition stamps on its leader appends.
func (p *Partition) LeaderEpoch() int32 { return p.log.LeaderEpoch() }

// LatestEpoch is the epoch of the last entry of the epoch history, which
// a follower sends as the epoch of the last batch it fetched; ok is false
// when the history is empty.
func (p *Partition) LatestEpoch() (epoch int32, ok bool) { return p.log.LatestEpoch() }

// EndOffsetForEpoch answers Kafka's OffsetsForLeaderEpoch from the epoch
// history (see log.Log.EndOffsetForEpoch).
func (p *Partition) EndOffsetForEpoch(epoch int32) (foundEpoch int32, endOffset int64) {
	return p.log.EndOffsetForEpoch(epoch)
}

// RecoveryPoint is the offset below which the log's records are on stable
// storage (see log.Log.RecoveryPoint).
func (p *Partition) RecoveryPoint() int64 { return p.log.RecoveryPoint() }

// WaitLogEnd blocks until the log holds a record at offset or after it,
// committed or not, as a leader waits to answer a follower's fetch (see
// log.Log.Wait). Partition.Wait waits for the high watermark instead.
func (p *Partition) WaitLogEnd(ctx context.Context, offset int64) error {
	return p.wrap("wait", p.log.Wait(ctx, offset))
}
