package partition

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// Options configure a partition. The zero value of every field means its
// default; Open copies them.
type Options struct {
	// Topic and Index name the partition in errors. Default "" and 0.
	Topic string
	Index int32
	// Log configures the log beneath. Its flush policy is overridden to
	// log.FlushAlways when Durable is set.
	Log log.Options
	// Durable makes an append return only once its records are on stable
	// storage, and lets consumers see only such records: the high
	// watermark follows the durable point instead of the log end. Appends
	// from many goroutines share fsyncs. Default false: records are
	// committed once written, and durability is the log's flush policy.
	Durable bool
	// OnAdvance, if set, is called after every move of the high watermark
	// and after Close, outside every lock of the partition. A topic uses it
	// to wake readers that follow many partitions at once; it must not
	// block.
	OnAdvance func()
	// Replicated makes the partition one replica of a partition that
	// several logs hold: appends do not commit, and the high watermark
	// moves only by SetHighWatermark, which the replication layer calls
	// with what the in-sync replicas hold. Open starts it where
	// CheckpointHighWatermark (or Close) last saved it, within the log,
	// and at the log start when nothing was saved, never at the log end:
	// a replica's tail may be records no other replica has. Default false:
	// a single replica, whose appends are its commits.
	Replicated bool
}

// Partition is one replica of a topic's partition. It is safe for use by
// many goroutines.
type Partition struct {
	topic      string
	index      int32
	log        *log.Log
	onAdvance  func()
	replicated bool
	// readOnly, fsys and logger are the log's options of the same
	// meaning, which never change while it is open.
	readOnly bool
	fsys     vfs.FS
	logger   *slog.Logger
	// commits are the callbacks waiting for the high watermark to pass
	// an offset (AwaitCommit).
	commits commitQueue
	// checkpointMu serialises writes of the high-watermark checkpoint;
	// checkpointed is the value last written or read, -1 before either.
	checkpointMu sync.Mutex
	checkpointed int64
	// durable is Options.Durable, which Reconfigure changes under
	// reconfigureMu.
	durable       atomic.Bool
	reconfigureMu sync.Mutex

	// highWatermark is the end of the committed records: one past the last
	// record consumers may read. It only grows.
	highWatermark atomic.Int64
	// changes is woken by every move of the high watermark and by Close.
	changes notify.Notifier
	closed  atomic.Bool
}

// Open opens the partition's log in dir, creating it if there is none (see
// log.Open). The high watermark starts at the log end: a single replica
// has committed everything its log holds, and a durable one syncs the log
// first so that this is true after a crash as well. A partition whose log
// is opened with log.Options.ReadOnly changes nothing, and its high
// watermark stays where Open puts it (see "Read-only partitions" in the
// package documentation).
func Open(dir string, opts Options) (*Partition, error) {
	p := &Partition{topic: opts.Topic, index: opts.Index, onAdvance: opts.OnAdvance,
		replicated: opts.Replicated, checkpointed: -1}
	p.durable.Store(opts.Durable)
	logOpts := opts.Log
	if opts.Durable {
		logOpts.Flush = log.FlushAlways
	}
	l, err := log.Open(dir, logOpts)
	if err != nil {
		return nil, p.wrap("open", err)
	}
	if opts.Durable && !opts.Log.ReadOnly {
		if err := l.Sync(context.Background()); err != nil {
			l.Close()
			return nil, p.wrap("open", err)
		}
	}
	p.log = l
	lo := l.Options()
	p.readOnly, p.fsys, p.logger = lo.ReadOnly, lo.FS, lo.Logger
	hw := openHighWatermark(l, opts.Durable)
	if opts.Replicated {
		hw = p.loadHighWatermark()
	}
	p.highWatermark.Store(hw)
	l.SetRetentionUpperBound(hw)
	return p, nil
}

// Topic is the name of the partition's topic.
func (p *Partition) Topic() string { return p.topic }

// Index is the partition's number within its topic.
func (p *Partition) Index() int32 { return p.index }

// Dir is the partition's directory.
func (p *Partition) Dir() string { return p.log.Dir() }

// Durable reports whether appends are acknowledged only once on stable
// storage (see Options.Durable).
func (p *Partition) Durable() bool { return p.durable.Load() }

// HighWatermark is the offset below which records are committed: consumers
// read up to it and not beyond.
func (p *Partition) HighWatermark() int64 { return p.highWatermark.Load() }

// LogStartOffset is the first offset the partition holds.
func (p *Partition) LogStartOffset() int64 { return p.log.LogStartOffset() }

// LogEndOffset is the offset the next appended record will get.
func (p *Partition) LogEndOffset() int64 { return p.log.LogEndOffset() }

// Size is the size of the partition's log in bytes.
func (p *Partition) Size() int64 { return p.log.Size() }

// NumSegments is the number of segments of the partition's log.
func (p *Partition) NumSegments() int { return p.log.NumSegments() }

// Append appends one or more record batches as the partition's leader, as
// log.Log.Append does, and returns once they are acknowledged: written,
// and on stable storage if the partition is durable. The records are
// committed (below the high watermark) when Append returns, unless the
// partition is replicated: its records are committed when
// SetHighWatermark passes them (see AwaitCommit).
func (p *Partition) Append(data []byte) (log.AppendInfo, error) {
	info, err := p.log.Append(data)
	if err != nil {
		return info, p.wrap("append", err)
	}
	p.appended(info)
	return info, nil
}

// AppendRecords encodes records into one batch with the log's codec and
// appends it as Append does.
func (p *Partition) AppendRecords(records ...record.Record) (log.AppendInfo, error) {
	info, err := p.log.AppendRecords(records...)
	if err != nil {
		return info, p.wrap("append", err)
	}
	p.appended(info)
	return info, nil
}

// appended commits what a leader append wrote, unless the partition is
// replicated.
func (p *Partition) appended(info log.AppendInfo) {
	if !p.replicated {
		p.advance(info.LastOffset + 1)
	}
}

// advance moves the high watermark up to hw, if that is a move, and wakes
// whoever waits for it. Appends may return out of order; the high
// watermark takes the largest end, since every record below an
// acknowledged append is written (and, when durable, synced) before it.
func (p *Partition) advance(hw int64) {
	for {
		cur := p.highWatermark.Load()
		if hw <= cur {
			return
		}
		if p.highWatermark.CompareAndSwap(cur, hw) {
			break
		}
	}
	p.log.SetRetentionUpperBound(hw)
	p.changes.Broadcast()
	if p.commits.any() {
		p.commits.complete(hw)
	}
	if p.onAdvance != nil {
		p.onAdvance()
	}
}

// Isolation says which records a read may return.
type Isolation int

const (
	// Committed reads stop at the high watermark, as consumers do.
	Committed Isolation = iota
	// UpToLogEnd reads up to the log end, as a replica that copies the log
	// does.
	UpToLogEnd
)

// ReadOptions bound a read of a partition.
type ReadOptions struct {
	// MaxBytes is the byte budget. Default log.DefaultReadBytes.
	MaxBytes int
	// MinOneBatch returns a first batch larger than MaxBytes alone rather
	// than nothing.
	MinOneBatch bool
	// Isolation says how far the read may go. Default Committed.
	Isolation Isolation
}

// ReadInfo describes what a read returned.
type ReadInfo struct {
	log.ReadInfo
	// HighWatermark is the partition's high watermark when the read began.
	HighWatermark int64
}

// Read appends to dst the whole batches that hold offset and the offsets
// after it, within opts' budget and isolation, and returns the extended
// slice. An offset between the high watermark and the log end returns
// nothing under Committed isolation; one below the log start or above the
// log end is an *OffsetOutOfRangeError.
func (p *Partition) Read(dst []byte, offset int64, opts ReadOptions) ([]byte, ReadInfo, error) {
	hw := p.HighWatermark()
	lopts, empty := p.bound(offset, hw, opts)
	if empty {
		info, err := p.emptyRead(offset, hw)
		return dst, info, err
	}
	out, info, err := p.log.Read(dst, offset, lopts)
	return out, ReadInfo{ReadInfo: info, HighWatermark: hw}, p.wrap("read", err)
}

// ReadTo is Read writing the batches to w, with sendfile when w is a socket
// (see log.Log.ReadTo).
func (p *Partition) ReadTo(w io.Writer, offset int64, opts ReadOptions) (ReadInfo, error) {
	hw := p.HighWatermark()
	lopts, empty := p.bound(offset, hw, opts)
	if empty {
		return p.emptyRead(offset, hw)
	}
	info, err := p.log.ReadTo(w, offset, lopts)
	return ReadInfo{ReadInfo: info, HighWatermark: hw}, p.wrap("read", err)
}

// bound turns partition read options into the log's, and reports whether
// a committed read at offset can return nothing because offset is at or
// past the high watermark.
func (p *Partition) bound(offset, hw int64, opts ReadOptions) (log.ReadOptions, bool) {
	lopts := log.ReadOptions{MaxBytes: opts.MaxBytes, MinOneBatch: opts.MinOneBatch}
	if opts.Isolation == Committed {
		if offset >= hw {
			return lopts, true
		}
		lopts.MaxOffset = hw
	}
	return lopts, false
}

// emptyRead answers a committed read at or past the high watermark:
// nothing, or an error if offset lies outside the log.
func (p *Partition) emptyRead(offset, hw int64) (ReadInfo, error) {
	if p.closed.Load() {
		return ReadInfo{}, p.wrap("read", ErrClosed)
	}
	start, end := p.log.LogStartOffset(), p.log.LogEndOffset()
	info := ReadInfo{
		ReadInfo:      log.ReadInfo{FirstOffset: -1, NextOffset: offset, LogStartOffset: start, LogEndOffset: end},
		HighWatermark: hw,
	}
	if offset < start || offset > end {
		return info, p.wrap("read", &OffsetOutOfRangeError{Offset: offset, LogStart: start, LogEnd: end})
	}
	return info, nil
}

// Wait blocks until the partition has a committed record at offset or after
// it (its high watermark passes offset), and returns nil. It returns early
// with ErrClosed when the partition is closed, with the context's error
// when ctx ends, and with an *OffsetOutOfRangeError when offset is past the
// log end.
func (p *Partition) Wait(ctx context.Context, offset int64) error {
	for {
		changed := p.changes.Wait()
		if p.HighWatermark() > offset {
			return nil
		}
		if p.closed.Load() {
			return p.wrap("wait", ErrClosed)
		}
		if end := p.log.LogEndOffset(); offset > end {
			return p.wrap("wait", &OffsetOutOfRangeError{Offset: offset, LogStart: p.log.LogStartOffset(), LogEnd: end})
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Changed returns a channel that is closed at the next move of the high
// watermark or at Close, for callers that wait on several things at once.
// Take the channel before checking the high watermark.
func (p *Partition) Changed() <-chan struct{} { return p.changes.Wait() }

// ListOffset answers Kafka's ListOffsets for a consumer, as
// log.Log.ListOffset does but within the committed records: the high
// watermark (and the current leader epoch) for log.LatestTimestamp, and
// for log.MaxTimestamp or a time, found false when the record that answers
// is not committed yet.
func (p *Partition) ListOffset(ts int64) (_ log.ListedOffset, found bool, err error) {
	if p.closed.Load() {
		return log.ListedOffset{}, false, p.wrap("list offset", ErrClosed)
	}
	hw := p.HighWatermark()
	if ts == log.LatestTimestamp {
		return log.ListedOffset{Offset: hw, Timestamp: record.NoTimestamp, LeaderEpoch: p.log.LeaderEpoch()}, true, nil
	}
	listed, found, err := p.log.ListOffset(ts)
	if err != nil {
		return log.ListedOffset{}, false, p.wrap("list offset", err)
	}
	if found && listed.Offset >= hw && ts != log.EarliestTimestamp {
		return log.ListedOffset{}, false, nil
	}
	return listed, found, nil
}

// DeleteRecordsBefore makes offset the log start, as Kafka's DeleteRecords
// does: records below it can no longer be read and whole segments below it
// are deleted. Offset may not pass the high watermark. It returns the log
// start afterwards.
func (p *Partition) DeleteRecordsBefore(offset int64) (int64, error) {
	if hw := p.HighWatermark(); offset > hw {
		return 0, p.wrap("delete records", &OffsetOutOfRangeError{Offset: offset, LogStart: p.log.LogStartOffset(), LogEnd: hw})
	}
	start, err := p.log.DeleteRecordsBefore(offset)
	return start, p.wrap("delete records", err)
}

// EnforceRetention runs one retention pass of the log now (see
// log.Log.EnforceRetention). It never deletes a record that is not
// committed.
func (p *Partition) EnforceRetention() (log.RetentionResult, error) {
	res, err := p.log.EnforceRetention()
	return res, p.wrap("retention", err)
}

// Sync makes every record appended so far durable. A context that ends
// first bounds the wait, as for log.Log.Sync.
func (p *Partition) Sync(ctx context.Context) error { return p.wrap("sync", p.log.Sync(ctx)) }

// Close closes the partition's log (see log.Log.Close) and wakes every
// waiter with ErrClosed. A replicated partition saves its high watermark
// first (CheckpointHighWatermark) and fails the callbacks still waiting
// for a commit with ErrClosed. Close is idempotent.
func (p *Partition) Close() error {
	var ckptErr error
	if p.replicated && !p.closed.Load() && !p.readOnly {
		ckptErr = p.CheckpointHighWatermark()
	}
	err := errors.Join(p.log.Close(), ckptErr)
	p.commits.fail(p.closedError(), true)
	if !p.closed.Swap(true) {
		p.changes.Broadcast()
		if p.onAdvance != nil {
			p.onAdvance()
		}
	}
	return p.wrap("close", err)
}
