package log

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// Open opens the log in dir, creating the directory and an empty log if
// there is none. It takes an advisory lock on the directory (unless
// Options.NoLock says the caller holds one): a second Open of the same
// directory, in this process or another, fails with an error wrapping
// ErrLocked until the first Log is closed.
//
// After a clean Close the segments are opened without being read (their
// indexes on first use). Otherwise every segment is recovered: each batch
// is read and checked, the indexes rebuilt, and the log cut at the first
// batch that is torn or corrupt, along with every segment after it.
func Open(dir string, opts Options) (*Log, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	fsys := opts.FS
	if err := vfs.MkdirAllSynced(fsys, dir); err != nil {
		return nil, err
	}
	var lock io.Closer = noLock{}
	if !opts.NoLock {
		if lock, err = fsys.Lock(filepath.Join(dir, lockFileName)); err != nil {
			return nil, fmt.Errorf("log: %s is open elsewhere: %w", dir, err)
		}
	}
	l := &Log{dir: dir, opts: opts, lock: lock, builder: record.NewBuilder()}
	list, err := l.load()
	if err != nil {
		lock.Close()
		return nil, err
	}
	l.logEnd.Store(list.active().NextOffset())
	l.logStart.Store(l.loadLogStart(list.segs[0].BaseOffset(), l.logEnd.Load()))
	// Segments wholly below the log start are what a crash left of a
	// retention pass or DeleteRecordsBefore: finish deleting them.
	if i := list.find(l.logStart.Load()); i > 0 {
		if err := deleteSegments(list.segs[:i]); err != nil {
			lock.Close()
			return nil, err
		}
		list = &segmentList{segs: list.segs[i:]}
	}
	l.segs.Store(list)
	if err := l.loadEpochs(l.logStart.Load(), l.logEnd.Load(), l.flush.pendingRecovery); err != nil {
		releaseAll(list.segs)
		lock.Close()
		return nil, err
	}
	l.flush.start(l)
	l.mu.Lock()
	err = l.finishIntents()
	l.listing = nil
	l.mu.Unlock()
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("log: finishing an interrupted truncation in %s: %w", dir, err)
	}
	return l, nil
}

// listedAtOpen reports whether name was in the directory when Open listed
// it. Nothing Open does before it reads a checkpoint or intent file
// creates one, so a file the listing lacks is absent.
func (l *Log) listedAtOpen(name string) bool {
	return l.listing == nil || slices.Contains(l.listing, name)
}

// readCheckpointAtOpen is readOffsetCheckpoint for Open: it reads only a
// file the directory listing holds.
func (l *Log) readCheckpointAtOpen(name string) (offset int64, ok bool, err error) {
	if !l.listedAtOpen(name) {
		return 0, false, nil
	}
	return readOffsetCheckpoint(l.opts.FS, l.dir, name)
}

// noLock stands for the directory lock of a log opened with NoLock.
type noLock struct{}

func (noLock) Close() error { return nil }

// load opens the segments found in the directory, recovering them unless
// the last Close was clean.
func (l *Log) load() (*segmentList, error) {
	fsys := l.opts.FS
	names, err := fsys.List(l.dir)
	if err != nil {
		return nil, fmt.Errorf("log: listing %s: %w", l.dir, err)
	}
	l.listing = names
	clean := slices.Contains(names, cleanShutdownMarker)
	// The marker stays until the first write (see writable).
	l.cleanMarker = clean
	bases, err := l.segmentBases(names)
	if err != nil {
		return nil, err
	}
	segOpts := l.opts.segmentOptions()
	if len(bases) == 0 {
		s, err := segment.Create(fsys, l.dir, 0, segOpts)
		if err != nil {
			return nil, fmt.Errorf("log: %w", err)
		}
		return &segmentList{segs: []*segment.Segment{s}}, nil
	}
	segs := make([]*segment.Segment, 0, len(bases))
	closeAll := func() {
		for _, s := range segs {
			s.Release()
		}
	}
	for _, base := range bases {
		s, err := segment.Open(fsys, l.dir, base, segOpts)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("log: %w", err)
		}
		segs = append(segs, s)
	}
	if clean {
		err = segs[len(segs)-1].Activate()
		if err == nil {
			l.flush.recoveryPoint.Store(segs[len(segs)-1].NextOffset())
			return &segmentList{segs: segs}, nil
		}
		if !errors.Is(err, record.ErrCorrupt) && !errors.Is(err, record.ErrTruncated) {
			closeAll()
			return nil, fmt.Errorf("log: %w", err)
		}
		// The files do not match a clean shutdown after all. Recovery
		// cuts files, so the marker must go first.
		if err := l.removeCleanMarker(); err != nil {
			closeAll()
			return nil, err
		}
	}
	// Segments below the recovery point were on stable storage when it
	// was checkpointed: only the ones from its segment on need reading. A
	// missing or unreadable checkpoint means reading them all.
	from := 0
	if rp, ok, _ := l.readCheckpointAtOpen(recoveryPointFile); ok {
		from = (&segmentList{segs: segs}).find(rp)
	}
	segs, err = l.recover(segs, from)
	if err != nil {
		closeAll()
		return nil, err
	}
	return &segmentList{segs: segs}, nil
}

// segmentBases returns the base offsets of the segments in the directory,
// sorted, after removing files that belong to no segment: index files
// whose log file is gone, temporary files, and files a Kafka broker
// renamed aside for deletion (*.deleted).
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
		if orphan || strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".deleted") {
			if err := l.opts.FS.Remove(filepath.Join(l.dir, name)); err != nil {
				return nil, fmt.Errorf("log: removing leftover %s: %w", name, err)
			}
		}
	}
	bases := make([]int64, 0, len(logs))
	for base := range logs {
		bases = append(bases, base)
	}
	slices.Sort(bases)
	return bases, nil
}

// recover reads every segment from segs[from] on, cutting the first torn or
// corrupt one at the damage and deleting every segment after it, and
// returns the segments kept, all sealed but the last, which is active.
func (l *Log) recover(segs []*segment.Segment, from int) ([]*segment.Segment, error) {
	next := segs[from].BaseOffset()
	for i := from; i < len(segs); i++ {
		s := segs[i]
		if s.BaseOffset() < next {
			// A segment that starts inside its predecessor's offsets
			// cannot follow it: treat it as damage at its start.
			return l.dropFrom(segs, i, from)
		}
		cut, err := s.Recover()
		if err != nil {
			return nil, fmt.Errorf("log: recovering %s: %w", l.dir, err)
		}
		next = s.NextOffset()
		if cut > 0 {
			return l.dropFrom(segs, i+1, from)
		}
		if i+1 < len(segs) && segs[i+1].BaseOffset() > next {
			// The offsets jump at the boundary: a crash kept the next
			// segment's batches but lost this one's tail at a batch
			// boundary, so that nothing needed cutting. What follows a
			// hole cannot be trusted. (A follower's copy of a gap a
			// leader compacted away looks the same; it fetches those
			// segments again.)
			return l.dropFrom(segs, i+1, from)
		}
	}
	return l.finishRecovery(segs, from)
}

// dropFrom deletes segs[i:] and finishes recovery with the rest; an empty
// rest keeps the first segment, emptied.
func (l *Log) dropFrom(segs []*segment.Segment, i, from int) ([]*segment.Segment, error) {
	if i == 0 {
		if err := segs[0].TruncateTo(segs[0].BaseOffset()); err != nil {
			return nil, fmt.Errorf("log: recovering %s: %w", l.dir, err)
		}
		i = 1
	}
	for _, s := range segs[i:] {
		s.MarkDeleted()
		if err := s.Release(); err != nil {
			return nil, fmt.Errorf("log: recovering %s: %w", l.dir, err)
		}
	}
	return l.finishRecovery(segs[:i], from)
}

// finishRecovery seals the recovered segments but the last. What recovery
// read may still be only in the page cache (a crashed process leaves its
// writes there), so the recovery point stays at the first recovered
// segment: the flusher syncs the rest in the background once the log is
// open.
func (l *Log) finishRecovery(segs []*segment.Segment, from int) ([]*segment.Segment, error) {
	from = min(from, len(segs)-1)
	for _, s := range segs[from : len(segs)-1] {
		if err := s.Seal(); err != nil {
			return nil, fmt.Errorf("log: recovering %s: %w", l.dir, err)
		}
	}
	l.flush.recoveryPoint.Store(segs[from].BaseOffset())
	l.flush.pendingRecovery = true
	return segs, nil
}
