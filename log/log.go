package log

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

// Names of the log's own files in its directory, beside the segments.
const (
	lockFileName        = ".lock"
	cleanShutdownMarker = ".clean-shutdown"
)

// Log is one partition's log: an ordered list of segments in one
// directory, of which the last is active and takes appends.
//
// Concurrency: appends, truncation and Close are serialised by a mutex, the
// writer lock. Reads take no lock the writer holds: they load an immutable
// snapshot of the segment list through an atomic pointer and take a
// reference on the segment they read, so a segment the writer drops is
// closed only after its last reader is done. A Log is safe for use by many
// goroutines.
type Log struct {
	dir  string
	opts Options
	lock io.Closer
	// logger and metrics are Options.Logger and Options.Metrics, which
	// never change while the log is open.
	logger  *slog.Logger
	metrics metrics.Collector

	// mu is the writer lock.
	mu      sync.Mutex
	builder *record.Builder // for AppendRecords
	scanner record.Scanner  // for validating appends
	epoch   int32           // stamped on leader appends
	epochs  *epochCache     // leader-epoch history, saved on change
	// rollJitter shortens SegmentAge for the active segment.
	rollJitter time.Duration
	closed     bool
	// cleanMarker says the clean-shutdown marker the last Close left is
	// still on disk: nothing has been written since Open, so the files
	// still are what it vouches for. The first write removes it first.
	cleanMarker bool
	// openedClean is OpenedClean's answer, set by Open.
	openedClean bool
	// recoveryCut says Open's recovery cut or dropped bytes of the log,
	// and records with them.
	recoveryCut bool
	// listing is the directory's contents as Open found them, and nil
	// once Open returns: the checkpoint and intent files Open reads are
	// looked up in it, which spares an idle partition the system calls
	// of failing to open files it does not have.
	listing []string

	segs     atomic.Pointer[segmentList]
	logEnd   atomic.Int64
	logStart atomic.Int64
	isClosed atomic.Bool
	failed   atomic.Pointer[failedError]
	changes  notify.Notifier // woken by appends, truncation and Close
	// truncations is odd while a truncation runs and grows by two with
	// each, so that a read that raced one can tell and start again.
	truncations atomic.Int64
	// retentionBound is SetRetentionUpperBound's offset, or
	// NoRetentionBound.
	retentionBound atomic.Int64

	flush flusher
}

// segmentList is an immutable snapshot of the segments, oldest first. The
// list holds one reference on each of its segments; the writer releases it
// when it drops a segment from the list.
type segmentList struct {
	segs []*segment.Segment
}

func (l *segmentList) active() *segment.Segment { return l.segs[len(l.segs)-1] }

// find returns the index of the segment that would hold offset: the last
// one whose base offset is at or below it (0 if offset is below them all).
func (l *segmentList) find(offset int64) int {
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].BaseOffset() > offset })
	return max(i-1, 0)
}

// Dir is the log's directory.
func (l *Log) Dir() string { return l.dir }

// LogStartOffset is the first offset the log holds.
func (l *Log) LogStartOffset() int64 { return l.logStart.Load() }

// LogEndOffset is the offset the next appended record will get: one past
// the last record in the log.
func (l *Log) LogEndOffset() int64 { return l.logEnd.Load() }

// RecoveryPoint is the offset below which every record is known to be on
// stable storage.
func (l *Log) RecoveryPoint() int64 { return l.flush.recoveryPoint.Load() }

// Size is the log's size in bytes, all segments together.
func (l *Log) Size() int64 {
	var n int64
	for _, s := range l.segs.Load().segs {
		n += s.Size()
	}
	return n
}

// NumSegments is the number of segments, the active one included.
func (l *Log) NumSegments() int { return len(l.segs.Load().segs) }

// usable returns the error that forbids a change, if any: a closed,
// read-only or failed log. Called with mu.
func (l *Log) usable() error {
	if l.closed {
		return ErrClosed
	}
	if l.opts.ReadOnly {
		return ErrReadOnly
	}
	if f := l.failed.Load(); f != nil {
		return f
	}
	return nil
}

// writable returns the error that forbids a write, if any, and otherwise
// readies the log for one: it must be called before the first change to
// the files. Called with mu.
func (l *Log) writable() error {
	if err := l.usable(); err != nil {
		return err
	}
	if l.cleanMarker {
		return l.removeCleanMarker()
	}
	return nil
}

// OpenedClean reports whether Open found the log as a clean Close left it
// (the clean-shutdown marker, and files that agree with it), or created
// it: no recovery ran, and nothing appended before Open can have been lost
// to a crash. After an unclean shutdown the records the flush policy had
// not yet synced may be gone, acknowledged or not, so a replica that
// restarts so must not count as holding every record committed before
// (Kafka's KIP-966 takes it out of the eligible leader replicas).
func (l *Log) OpenedClean() bool { return l.openedClean }

// removeCleanMarker deletes the clean-shutdown marker and makes that
// durable, before the first write after a clean Open: from then on a crash
// must lead to recovery. Open leaves the marker in place so that opening a
// log, reading it and closing it writes nothing, and an idle partition
// opens without an fsync. A directory fsync that fails fails the log, as
// any failed fsync does.
func (l *Log) removeCleanMarker() error {
	fsys := l.opts.FS
	if err := fsys.Remove(filepath.Join(l.dir, cleanShutdownMarker)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("log: removing the clean-shutdown marker: %w", err)
	}
	if err := fsys.SyncDir(l.dir); err != nil {
		return l.fail(fmt.Errorf("log: removing the clean-shutdown marker: %w", err))
	}
	l.cleanMarker = false
	return nil
}

// fail makes every later write fail with err until the log is reopened:
// after a failed write or fsync, what is in the page cache can no longer be
// trusted to match the disk.
func (l *Log) fail(err error) error {
	var f *failedError
	if !errors.As(err, &f) {
		f = &failedError{cause: err}
	}
	if l.failed.CompareAndSwap(nil, f) {
		l.logger.Error("log failed", "dir", l.dir, "err", f.cause)
	}
	return f
}

// Close flushes everything appended, writes the clean-shutdown marker that
// lets the next Open skip recovery, and releases the directory. Reads in
// progress finish first on the segments they hold. Close is idempotent.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.isClosed.Store(true)
	l.mu.Unlock()
	l.changes.Broadcast()

	var errs []error
	errs = append(errs, l.flush.stop())
	l.mu.Lock()
	defer l.mu.Unlock()
	list := l.segs.Load()
	// A failed log is left for the next Open to recover. A log nothing
	// was written to since a clean Open still has the marker, and its
	// files are as the last Close left them: there is nothing to sync,
	// seal or checkpoint, and closing an idle partition costs no fsync.
	// A read-only log writes nothing.
	finish := l.failed.Load() == nil && !l.cleanMarker && !l.opts.ReadOnly
	if finish {
		if err := l.syncAll(list); err != nil {
			errs = append(errs, err)
			finish = false
		}
	}
	for _, s := range list.segs {
		errs = append(errs, s.Release())
	}
	if finish && errors.Join(errs...) == nil {
		errs = append(errs, l.flush.checkpoint())
	}
	if finish && errors.Join(errs...) == nil {
		errs = append(errs, l.writeCleanMarker())
	}
	errs = append(errs, l.lock.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("log: closing %s: %w", l.dir, err)
	}
	return nil
}

// syncAll flushes every segment not yet flushed and seals the active one,
// so that the files are complete on disk. Called with mu held and the
// flusher stopped.
func (l *Log) syncAll(list *segmentList) error {
	for _, s := range list.segs[list.find(l.flush.recoveryPoint.Load()):] {
		if err := s.Flush(); err != nil {
			return err
		}
	}
	// Sealing the active segment writes its indexes whole, the time
	// index's final entry included, as a roll would; Open makes it active
	// again.
	if err := list.active().Seal(); err != nil {
		return err
	}
	l.flush.recoveryPoint.Store(l.logEnd.Load())
	return nil
}

func (l *Log) writeCleanMarker() error {
	fsys := l.opts.FS
	f, err := fsys.Create(filepath.Join(l.dir, cleanShutdownMarker))
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return fsys.SyncDir(l.dir)
}

// unchangedSince reports whether no truncation ran since the count was
// gen: none was running then and none has started since.
func (l *Log) unchangedSince(gen int64) bool {
	return gen%2 == 0 && l.truncations.Load() == gen
}

// beginTruncation marks a truncation as running, so that a read that
// races it reads again, and a flush that races it leaves the recovery
// point to the truncation (see flusher.raise). Called with mu; the
// truncation calls endTruncation when it is done.
func (l *Log) beginTruncation() {
	l.flush.raiseMu.Lock()
	l.truncations.Add(1)
	l.flush.raiseMu.Unlock()
}

func (l *Log) endTruncation() { l.truncations.Add(1) }
