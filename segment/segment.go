package segment

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/index"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// Options tune a segment. The zero value of each field means its default.
type Options struct {
	// IndexIntervalBytes is how many bytes of batches may be appended
	// between two offset index entries. Default 4096.
	IndexIntervalBytes int
	// MaxIndexBytes is the size an active segment's index files are
	// preallocated to; a full index makes the log roll. Default 10 MiB.
	MaxIndexBytes int
	// Now is the clock that dates a segment whose batches carry no
	// timestamps, for its age (see [Segment.RollAge]). Default time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultIndexIntervalBytes = 4096
	DefaultMaxIndexBytes      = 10 << 20
)

func (o Options) withDefaults() Options {
	if o.IndexIntervalBytes <= 0 {
		o.IndexIntervalBytes = DefaultIndexIntervalBytes
	}
	if o.MaxIndexBytes <= 0 {
		o.MaxIndexBytes = DefaultMaxIndexBytes
	}
	o.MaxIndexBytes = max(o.MaxIndexBytes, 4*index.TimeEntrySize)
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Segment is one segment of a partition's log: a file of batches and its
// two indexes, named by the base offset.
//
// A segment has one writer at a time (the log's, which serialises Append,
// Recover, TruncateTo, Activate and Seal) and any number of readers, which
// take no lock the writer holds: the size and next offset are published
// atomically after each write, and a reader sees only whole batches.
//
// A segment is reference counted. Whoever creates or opens it holds one
// reference; a reader that may outlive its lookup of the segment takes
// another with [Segment.Retain]. The files are closed when the last
// reference is released, and deleted too if [Segment.MarkDeleted] was
// called, so a segment is never closed under a reader.
type Segment struct {
	fsys vfs.FS
	dir  string
	base int64
	opts Options
	file vfs.File

	// Published for readers after every change.
	size         atomic.Int64 // bytes of whole batches in the file
	nextOffset   atomic.Int64 // offset after the last batch; base when empty
	maxTimestamp atomic.Int64 // largest batch MaxTimestamp; NoTimestamp when unknown

	// Writer state, valid while the segment is active. active is read by
	// readers too (MaxTimestamp), while Seal writes it.
	active        atomic.Bool
	iw            indexWriter
	rollTimestamp int64     // MaxTimestamp of the first batch, or NoTimestamp
	created       time.Time // for segments whose batches carry no timestamps

	// The indexes, opened on first use for a sealed segment, and for an
	// active one that Activate found sealed (see Activate); read-only
	// unless indexesWritable, which is set under indexMu and read by the
	// writer without it.
	indexMu         sync.Mutex
	offsetIdx       atomic.Pointer[index.OffsetIndex]
	timeIdx         atomic.Pointer[index.TimeIndex]
	indexesWritable atomic.Bool

	// The memory map reads go through (see mapping.go).
	mapMu     sync.Mutex
	mapped    atomic.Pointer[mapping]
	mapFailed atomic.Bool

	// verified says the segment was checked against its name and
	// indexes (see Verify), or read whole; verifyMu serialises checks.
	verified atomic.Bool
	verifyMu sync.Mutex

	refs     atomic.Int32
	deleted  atomic.Bool
	removed  atomic.Bool // files already unlinked by RemoveFilesNow
	closeMu  sync.Mutex
	closed   bool
	closeErr error
}

// NoTimestamp stands for an unknown timestamp: the batch format's
// (record.NoTimestamp), which the time index uses too.
const NoTimestamp = record.NoTimestamp

// Create creates the files of a new, empty, active segment in dir, and
// syncs the directory so that the new names survive a crash. Files of
// that name already there are replaced.
func Create(fsys vfs.FS, dir string, base int64, opts Options) (*Segment, error) {
	f, err := fsys.Create(Path(dir, base, LogExt))
	if err != nil {
		return nil, fmt.Errorf("segment: creating %d: %w", base, err)
	}
	// Index files of that name belong to a segment that is gone (one a
	// failed removal left): a new segment's indexes start empty.
	for _, ext := range []string{IndexExt, TimeIndexExt} {
		if err := fsys.Remove(Path(dir, base, ext)); err != nil && !isNotExist(err) {
			f.Close()
			return nil, fmt.Errorf("segment: creating %d: %w", base, err)
		}
	}
	s := newSegment(fsys, dir, base, opts, f)
	s.active.Store(true)
	s.verified.Store(true)
	if err := s.openIndexes(true); err != nil {
		f.Close()
		return nil, err
	}
	if err := fsys.SyncDir(dir); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("segment: creating %d: %w", base, err)
	}
	return s, nil
}

// Open opens an existing segment without reading it: its indexes are
// opened on first use, and its next offset and largest timestamp are known
// only after [Segment.Recover] or [Segment.Activate]. A missing log file
// is an error wrapping fs.ErrNotExist.
func Open(fsys vfs.FS, dir string, base int64, opts Options) (*Segment, error) {
	f, err := fsys.OpenReadWrite(Path(dir, base, LogExt))
	if err != nil {
		return nil, fmt.Errorf("segment: opening %d: %w", base, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("segment: opening %d: %w", base, err)
	}
	s := newSegment(fsys, dir, base, opts, f)
	s.size.Store(info.Size())
	// Dated by its file, so that a restart does not make it young again;
	// but never later than the clock, which a test may have set back.
	if mod := info.ModTime(); mod.Before(s.created) {
		s.created = mod
	}
	return s, nil
}

func newSegment(fsys vfs.FS, dir string, base int64, opts Options, f vfs.File) *Segment {
	opts = opts.withDefaults()
	s := &Segment{fsys: fsys, dir: dir, base: base, opts: opts, file: f,
		created: opts.Now(), rollTimestamp: NoTimestamp}
	s.iw.reset(s)
	s.nextOffset.Store(base)
	s.maxTimestamp.Store(NoTimestamp)
	s.refs.Store(1)
	return s
}

// BaseOffset is the offset the segment is named by; every batch in it has
// an offset at or above it.
func (s *Segment) BaseOffset() int64 { return s.base }

// Size is the number of bytes of whole batches in the log file.
func (s *Segment) Size() int64 { return s.size.Load() }

// NextOffset is the offset after the segment's last batch, or its base
// offset when it is empty. It is known for an active segment and after
// Recover; for a segment opened but not read it is the base offset.
func (s *Segment) NextOffset() int64 { return s.nextOffset.Load() }

// MaxTimestamp is the largest batch timestamp in the segment, or
// NoTimestamp when it has none.
func (s *Segment) MaxTimestamp() (int64, error) {
	if ts := s.maxTimestamp.Load(); ts != NoTimestamp || s.active.Load() {
		return ts, nil
	}
	ti, err := s.timeIndex()
	if err != nil {
		return NoTimestamp, err
	}
	if last, ok := ti.Last(); ok {
		return last.Timestamp, nil
	}
	return NoTimestamp, nil
}

// RollAge is how much time the segment's records span, for the roll rule
// on age: the given timestamp less the first batch's largest timestamp, or
// the time by Options.Now since the segment was created (or emptied by a
// truncation, or, for a segment opened from disk, since its file was last
// written) when its batches carry no timestamps. An empty segment has age
// 0 and never rolls on time.
func (s *Segment) RollAge(incomingMaxTimestamp int64, now time.Time) time.Duration {
	if s.Size() == 0 {
		return 0
	}
	if s.rollTimestamp != NoTimestamp && incomingMaxTimestamp != NoTimestamp {
		return time.Duration(incomingMaxTimestamp-s.rollTimestamp) * time.Millisecond
	}
	return now.Sub(s.created)
}

// CanHoldOffset reports whether offset can be stored in this segment's
// indexes, which keep offsets as 32-bit deltas from the base.
func (s *Segment) CanHoldOffset(offset int64) bool {
	d := offset - s.base
	return d >= 0 && d <= math.MaxInt32
}

// IndexRoom is how many more entries the active segment's indexes take
// before they are full; an append of n batches may add up to n. It loads
// the indexes if Activate left them unread.
func (s *Segment) IndexRoom() (int, error) {
	if err := s.writableIndexes(); err != nil {
		return 0, err
	}
	oi, ti := s.offsetIdx.Load(), s.timeIdx.Load()
	return min(oi.MaxEntries()-oi.Len(), ti.MaxEntries()-1-ti.Len()), nil
}

// Retain takes a reference to the segment and reports whether it could:
// it cannot once the last reference was released.
func (s *Segment) Retain() bool { return retainRef(&s.refs) }

// retainRef adds one to a reference count, unless it already fell to
// zero: what was counted is then gone for good.
func retainRef(refs *atomic.Int32) bool {
	for {
		n := refs.Load()
		if n <= 0 {
			return false
		}
		if refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release drops a reference. The last one closes the files, and deletes
// them if the segment was marked deleted.
func (s *Segment) Release() error {
	if s.refs.Add(-1) != 0 {
		return nil
	}
	err := s.closeFiles()
	if s.deleted.Load() && !s.removed.Load() {
		if derr := s.removeFiles(); err == nil {
			err = derr
		}
	}
	return err
}

// MarkDeleted makes the release of the last reference delete the files.
func (s *Segment) MarkDeleted() { s.deleted.Store(true) }

// RemoveFilesNow unlinks the segment's files at once, so that a new segment
// may take their names, while readers holding a reference keep reading
// through the open log file. Indexes not yet loaded can no longer be, and
// the last Release removes nothing more.
func (s *Segment) RemoveFilesNow() error {
	s.removed.Store(true)
	s.indexMu.Lock()
	if oi := s.offsetIdx.Load(); oi != nil {
		oi.Discard()
	}
	if ti := s.timeIdx.Load(); ti != nil {
		ti.Discard()
	}
	s.indexMu.Unlock()
	return s.removeFiles()
}

// closeFiles closes the log and index files once.
func (s *Segment) closeFiles() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return s.closeErr
	}
	s.closed = true
	var errs []error
	s.indexMu.Lock()
	if oi := s.offsetIdx.Load(); oi != nil {
		errs = append(errs, oi.Close())
	}
	if ti := s.timeIdx.Load(); ti != nil {
		errs = append(errs, ti.Close())
	}
	s.indexMu.Unlock()
	s.unmap()
	errs = append(errs, s.file.Close())
	for _, err := range errs {
		if err != nil {
			s.closeErr = fmt.Errorf("segment: closing %d: %w", s.base, err)
			break
		}
	}
	return s.closeErr
}

// removeFiles removes the segment's three files; missing ones are fine.
func (s *Segment) removeFiles() error {
	var first error
	for _, ext := range []string{LogExt, IndexExt, TimeIndexExt} {
		if err := s.fsys.Remove(Path(s.dir, s.base, ext)); err != nil && !isNotExist(err) && first == nil {
			first = fmt.Errorf("segment: deleting %d: %w", s.base, err)
		}
	}
	if err := s.fsys.SyncDir(s.dir); err != nil && first == nil {
		first = fmt.Errorf("segment: deleting %d: %w", s.base, err)
	}
	return first
}

// logPath is the segment's log file.
func (s *Segment) logPath() string { return Path(s.dir, s.base, LogExt) }

// ModTime is when the log file was last written, by the file system's
// clock.
func (s *Segment) ModTime() (time.Time, error) {
	info, err := s.file.Stat()
	if err != nil {
		return time.Time{}, fmt.Errorf("segment: %d: %w", s.base, err)
	}
	return info.ModTime(), nil
}
