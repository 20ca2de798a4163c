package log

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

// Open opens the log in dir, creating the directory and an empty log if
// there is none. It takes an advisory lock on the directory (unless
// Options.NoLock says the caller holds one): a second Open of the same
// directory, in this process or another, fails with an error wrapping
// ErrLocked until the first Log is closed.
//
// After a clean Close the segments are opened without being read (their
// indexes on first use). Otherwise the segments from the one holding the
// checkpointed recovery point on are recovered: each batch is read and
// checked, the indexes rebuilt, and the log cut at the first batch that
// is torn or corrupt, along with every segment after it (see recover).
//
// Open refuses, with an error and without changing a file, what it cannot
// take for the remains of a crash: a segment whose first batch lies below
// the offset it is named by (ErrCorrupt, segment.ErrMisnamed), segments
// whose offsets overlap (ErrCorrupt), a checkpoint file it cannot read,
// a file it would have to follow a symbolic link to open
// (vfs.ErrSymlink), and a log start checkpointed past the log end when
// recovery cut nothing that could explain it (ErrBadCheckpoint). When
// recovery did cut records below the checkpointed start, the log restarts
// empty at that start, as Kafka's does, so that no offset below it is
// handed out again.
//
// With Options.ReadOnly, Open takes no lock, creates no directory and
// changes no file: recovery and the rest happen in memory (see ReadOnly).
//
// A read-only Open that races a writer in another process reads the log
// again when the writer rolled or deleted segments meanwhile, so that the
// log it returns is one the writer had, its records without a gap; it
// fails with an error wrapping ErrChangedWhileOpening if they changed
// under every one of 8 reads.
func Open(dir string, opts Options) (*Log, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		return openReadOnly(dir, opts)
	}
	return openLog(dir, opts)
}

// openLog opens the log once, its options checked (Open of a read-only
// log may call it again, see openReadOnly).
func openLog(dir string, opts Options) (*Log, error) {
	lock, err := openDir(&opts, dir)
	if err != nil {
		return nil, err
	}
	fsys := opts.FS
	if !opts.NoLock && !opts.ReadOnly {
		if lock, err = fsys.Lock(filepath.Join(dir, lockFileName)); err != nil {
			if errors.Is(err, ErrLocked) {
				opts.Logger.Warn("log open refused: the directory is open elsewhere", "dir", dir, "err", err)
				return nil, fmt.Errorf("log: %s is open elsewhere: %w", dir, err)
			}
			return nil, fmt.Errorf("log: locking %s: %w", dir, err)
		}
	}
	logger := opts.Logger
	if opts.ReadOnly {
		// What a read-only log recovers it cuts in memory only.
		logger = logger.With("read_only", true)
	}
	l := &Log{dir: dir, opts: opts, lock: lock, logger: logger, metrics: opts.Metrics,
		builder: record.NewBuilder(), rollJitter: opts.rollJitter()}
	l.retentionBound.Store(NoRetentionBound)
	restartAt, err := l.load()
	if err != nil {
		lock.Close()
		return nil, err
	}
	l.flush.start(l)
	l.mu.Lock()
	if restartAt >= 0 {
		// Recovery cut records at and below the checkpointed log start:
		// start again, empty, at that start, so that no offset below it
		// is handed out again (Kafka does the same).
		err = l.withIntent(truncateFullyIntentFile, restartAt, l.truncateFullyLocked)
	}
	if err == nil {
		err = l.finishIntents()
	}
	if start, end := l.logStart.Load(), l.logEnd.Load(); err == nil && start > end {
		// An intent that did not parse was not carried out.
		err = fmt.Errorf("%w: %s: log start %d is past the log end %d", ErrBadCheckpoint, filepath.Join(dir, logStartFile), start, end)
	}
	l.listing = nil
	l.mu.Unlock()
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("log: finishing an interrupted truncation in %s: %w", dir, err)
	}
	// Without a background goroutine, the flush that recovery asks for
	// runs here, before Open returns.
	l.flush.runDue()
	l.logger.Debug("log opened", "dir", dir, "log_start_offset", l.logStart.Load(),
		"log_end_offset", l.logEnd.Load(), "segments", l.NumSegments())
	return l, nil
}

// load reads the directory and opens the segments, recovering them if
// the last shutdown was not clean, and sets the log's offsets and epoch
// history. It returns the offset to restart the log at, or -1: a log
// start checkpointed past what recovery kept.
func (l *Log) load() (restartAt int64, err error) {
	names, err := l.opts.FS.List(l.dir)
	if err != nil {
		return 0, fmt.Errorf("log: listing %s: %w", l.dir, err)
	}
	l.listing = names
	ckptStart, hasStart, err := l.readCheckpointAtOpen(logStartFile)
	if err != nil {
		return 0, err
	}
	if !hasStart {
		ckptStart = -1
	}
	list, err := l.loadSegments(names, ckptStart)
	if err != nil {
		return 0, err
	}
	end := list.active().NextOffset()
	start := list.segs[0].BaseOffset()
	start = max(start, ckptStart)
	restartAt = -1
	// A truncation a crash interrupted leaves files that are no state of
	// the log; Open replays it (see finishIntents), from the checkpointed
	// start.
	interrupted := l.listedAtOpen(truncateIntentFile) || l.listedAtOpen(truncateFullyIntentFile)
	switch {
	case start > end && interrupted:
	case start > end:
		if !l.recoveryCut {
			// The records below a log start are durable before it is
			// checkpointed (see DeleteRecordsBefore), so a crash cannot
			// leave the end below it, and nothing was cut: the checkpoint
			// is wrong, not an order to delete the log.
			releaseAll(list.segs)
			return 0, fmt.Errorf("%w: %s: log start %d is past the log end %d",
				ErrBadCheckpoint, filepath.Join(l.dir, logStartFile), start, end)
		}
		l.logger.Warn("recovery cut below the checkpointed log start: the log restarts empty there",
			"file", filepath.Join(l.dir, logStartFile), "offset", start, "log_end_offset", end)
		restartAt, start = start, end
	default:
		if i := list.find(start); i > 0 {
			// Segments wholly below the log start are what a crash left
			// of a retention pass or DeleteRecordsBefore: finish deleting
			// them.
			l.logger.Info("deleting segments below the log start", "segments", i, "log_start_offset", start)
			if err := l.deleteSegments(list.segs[:i]); err != nil {
				releaseAll(list.segs[i:])
				return 0, err
			}
			list = &segmentList{segs: list.segs[i:]}
		}
	}
	l.segs.Store(list)
	l.logEnd.Store(end)
	l.logStart.Store(start)
	if err := l.loadEpochs(start, end, l.flush.pendingRecovery); err != nil {
		releaseAll(list.segs)
		return 0, err
	}
	return restartAt, nil
}

// listedAtOpen reports whether name was in the directory when Open listed
// it. Nothing Open does before it reads a checkpoint or intent file
// creates one, so a file the listing lacks is absent.
func (l *Log) listedAtOpen(name string) bool {
	return l.listing == nil || slices.Contains(l.listing, name)
}

// readCheckpointAtOpen is readOffsetCheckpoint for Open: it reads only a
// file the directory listing holds, and takes one that does not parse for
// absent. Other errors (one that cannot be read, or is a symbolic link)
// are returned: the file is there, and what it says is not known.
func (l *Log) readCheckpointAtOpen(name string) (offset int64, ok bool, err error) {
	if !l.listedAtOpen(name) {
		return 0, false, nil
	}
	offset, ok, err = readOffsetCheckpoint(l.opts.FS, l.dir, name)
	if errors.Is(err, ErrBadCheckpoint) {
		l.logger.Warn("checkpoint does not parse: ignored", "file", filepath.Join(l.dir, name), "err", err)
		return 0, false, nil
	}
	return offset, ok, err
}

// noLock stands for the directory lock of a log opened with NoLock.
type noLock struct{}

func (noLock) Close() error { return nil }

// loadSegments opens the segments found in the directory, recovering them
// unless the last Close was clean. logStart is the checkpointed log start,
// or -1: a directory without segments gets an empty one there, and
// recovery leaves alone the segments wholly below it, which are to be
// deleted.
func (l *Log) loadSegments(names []string, logStart int64) (*segmentList, error) {
	fsys := l.opts.FS
	clean := slices.Contains(names, cleanShutdownMarker)
	// The marker stays until the first write (see writable).
	l.cleanMarker = clean
	bases, err := l.segmentBases(names)
	if err != nil {
		return nil, err
	}
	if len(bases) == 0 {
		s, err := l.createSegment(max(logStart, 0))
		if err != nil {
			return nil, fmt.Errorf("log: %w", err)
		}
		l.openedClean = true // a new log has nothing to lose
		return &segmentList{segs: []*segment.Segment{s}}, nil
	}
	segs := make([]*segment.Segment, 0, len(bases))
	for _, base := range bases {
		s, err := segment.Open(fsys, l.dir, base, l.opts.segmentOptions())
		if err != nil {
			releaseAll(segs)
			return nil, fmt.Errorf("log: %w", err)
		}
		segs = append(segs, s)
	}
	if clean {
		err = segs[len(segs)-1].Activate()
		if err == nil {
			l.flush.recoveryPoint.Store(segs[len(segs)-1].NextOffset())
			l.openedClean = true
			return &segmentList{segs: segs}, nil
		}
		if !errors.Is(err, record.ErrCorrupt) && !errors.Is(err, record.ErrTruncated) && !errors.Is(err, segment.ErrOffsetOverflow) {
			releaseAll(segs)
			return nil, fmt.Errorf("log: %w", err)
		}
		// The files do not match a clean shutdown after all. Recovery
		// cuts files, so the marker must go first.
		l.logger.Warn("files contradict the clean-shutdown marker: recovering",
			"file", filepath.Join(l.dir, cleanShutdownMarker), "err", err)
		if err := l.removeCleanMarker(); err != nil {
			releaseAll(segs)
			return nil, err
		}
	}
	// Segments below the recovery point were on stable storage when it
	// was checkpointed: only the ones from its segment on need reading. A
	// missing checkpoint, or one that does not parse, means reading them
	// all.
	rp, ok, err := l.readCheckpointAtOpen(recoveryPointFile)
	if err != nil {
		releaseAll(segs)
		return nil, err
	}
	if !ok {
		rp = 0
	}
	from := (&segmentList{segs: segs}).find(max(rp, logStart))
	l.logger.Info("unclean shutdown: recovering", "dir", l.dir, "recovery_point", rp,
		"segments", len(segs)-from)
	kept, err := l.recover(segs, from) // releases segs on error
	if err != nil {
		return nil, err
	}
	return &segmentList{segs: kept}, nil
}

// segmentBases returns the base offsets of the segments in the directory,
// sorted, after removing files that belong to no segment: index files
// whose log file is gone, temporary files, and files a Kafka broker
// renamed aside for deletion (*.deleted). A directory among them is not
// the log's to remove, and is left alone.
func (l *Log) segmentBases(names []string) ([]int64, error) {
	logs := make(map[int64]bool)
	for _, name := range names {
		if base, ext, ok := segment.ParseFileName(name); ok && ext == segment.LogExt {
			logs[base] = true
		}
	}
	for _, name := range names {
		base, ext, ok := segment.ParseFileName(name)
		orphan := ok && (ext == segment.IndexExt || ext == segment.TimeIndexExt) && !logs[base]
		if !orphan && !strings.HasSuffix(name, ".tmp") && !strings.HasSuffix(name, ".deleted") {
			continue
		}
		path := filepath.Join(l.dir, name)
		if info, err := l.opts.FS.Stat(path); err == nil && info.IsDir() {
			continue
		}
		if err := l.opts.FS.Remove(path); err != nil {
			return nil, fmt.Errorf("log: removing leftover %s: %w", name, err)
		}
	}
	bases := make([]int64, 0, len(logs))
	for base := range logs {
		bases = append(bases, base)
	}
	slices.Sort(bases)
	return bases, nil
}
