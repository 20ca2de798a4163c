package index

import (
	"errors"
	"fmt"
	"iter"
	"sync/atomic"

	"github.com/commitlog-go/commitlog/vfs"
)

// maxKeptBuffer is the largest encoding buffer an index keeps between
// flushes. A larger flush (after a rebuild, say) takes a buffer of its own
// and lets it go, so that an idle index does not hold megabytes.
const maxKeptBuffer = 64 << 10

// store is what both kinds of index share: the published entries, the
// capacity, and the file they are written to. E is the entry type; the
// index types around it supply the encoding and the rules.
//
// Everything below the view and maxEntries belongs to the writer.
type store[E any] struct {
	view[E]
	maxEntries atomic.Int64

	fsys      vfs.FS
	path      string
	base      int64
	entrySize int
	encode    func(dst []byte, es []E, base int64)

	// file is the open file, or nil when none is held: an index opened
	// read-only, or sealed, holds none and opens one for writing when it
	// must.
	file vfs.File
	// fileSize is the file's size as last read or set.
	fileSize int64
	// written counts the leading entries whose bytes in the file are
	// right; entries from there on are pending.
	written int
	// dirtyTo counts the leading entries' worth of the file that may hold
	// non-zero bytes. It passes the number of entries when entries that
	// were written are dropped; the next flush clears them.
	dirtyTo int
	// prealloc says the file is kept at its full size for appending.
	prealloc bool
	// unsynced says the file changed since its last Sync.
	unsynced bool
	closed   bool
	buf      []byte
	// discarded says the file was removed with its segment (see
	// OffsetIndex.Discard): nothing is written to its name any more,
	// which a new segment may have taken.
	discarded atomic.Bool
}

// open fills s from the file at path. Its fields fsys, path, base,
// entrySize and encode must be set.
func (s *store[E]) open(maxBytes int, writable bool, decode decodeFunc[E]) error {
	if s.base < 0 {
		return fmt.Errorf("index: %s: negative base offset %d", s.path, s.base)
	}
	if maxBytes < s.entrySize {
		return fmt.Errorf("index: %s: maximum size %d is less than one %d-byte entry", s.path, maxBytes, s.entrySize)
	}
	var f vfs.File
	var err error
	if writable {
		f, err = s.fsys.OpenReadWrite(s.path)
	} else {
		f, err = s.fsys.Open(s.path)
	}
	if err != nil {
		return ioError("opening", s.path, err)
	}
	es, size, err := s.read(f, decode)
	if err != nil {
		f.Close()
		return err
	}
	s.publish(es)
	s.written, s.dirtyTo = len(es), len(es)
	s.fileSize = size
	s.maxEntries.Store(int64(max(maxBytes/s.entrySize, len(es))))
	if !writable {
		if err := f.Close(); err != nil {
			return ioError("closing", s.path, err)
		}
		return nil
	}
	// The file is preallocated by the first flush that writes to it, not
	// now: a segment writes its indexes when it is sealed, so an active
	// segment of a partition that is opened and closed without a write
	// never resizes its files.
	s.file = f
	s.prealloc = true
	return s.releaseFile()
}

func (s *store[E]) read(f vfs.File, decode decodeFunc[E]) ([]E, int64, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, 0, ioError("reading", s.path, err)
	}
	es, err := readEntries(f, s.path, info.Size(), s.entrySize, s.base, decode)
	return es, info.Size(), err
}

// discard stops every later write to the file (see OffsetIndex.Discard).
func (s *store[E]) discard() { s.discarded.Store(true) }

// errClosed returns the error of a writer method called after Close.
func (s *store[E]) errClosed(doing string) error {
	return fmt.Errorf("%w: %s %s", ErrClosed, doing, s.path)
}

// maxEntriesInt is the capacity as an int.
func (s *store[E]) maxEntriesInt() int { return int(s.maxEntries.Load()) }

// ensureFile opens the file for writing if none is held.
func (s *store[E]) ensureFile() error {
	if s.file != nil {
		return nil
	}
	f, err := s.fsys.OpenReadWrite(s.path)
	if err != nil {
		return ioError("opening", s.path, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return ioError("opening", s.path, err)
	}
	if size := info.Size(); size != s.fileSize {
		// Changed behind our back: trust none of it. Rewrite every
		// entry and clear whatever lies past them.
		s.written = 0
		s.dirtyTo = max(s.dirtyTo, int((size+int64(s.entrySize)-1)/int64(s.entrySize)))
		s.fileSize = size
	}
	s.file = f
	return nil
}

// truncateFile sets the size of the held file.
func (s *store[E]) truncateFile(size int64) error {
	if err := s.file.Truncate(size); err != nil {
		return ioError("resizing", s.path, err)
	}
	s.fileSize = size
	s.unsynced = true
	s.dirtyTo = min(s.dirtyTo, int(size/int64(s.entrySize)))
	return nil
}

// preallocate sizes the held file for maxEntries entries.
func (s *store[E]) preallocate() error {
	if want := int64(s.maxEntriesInt()) * int64(s.entrySize); s.fileSize != want {
		return s.truncateFile(want)
	}
	return nil
}

// buffer returns n bytes to encode into.
func (s *store[E]) buffer(n int) []byte {
	if n <= cap(s.buf) {
		return s.buf[:n]
	}
	b := make([]byte, n)
	if n <= maxKeptBuffer {
		s.buf = b
	}
	return b
}

// truncate drops the entries from the k-th on.
func (s *store[E]) truncate(k int) {
	if s.closed {
		return
	}
	s.keep(k)
	s.written = min(s.written, k)
}

// flush writes the pending entries in one call, clears the bytes of
// entries dropped since they were written, and syncs if sync is set and
// anything changed.
func (s *store[E]) flush(sync bool) error {
	if s.discarded.Load() {
		return nil
	}
	es := s.load()
	n := len(es)
	if s.written < n || s.dirtyTo > n {
		if err := s.ensureFile(); err != nil {
			return err
		}
	}
	if s.written < n {
		if s.prealloc {
			if err := s.preallocate(); err != nil {
				return err
			}
		}
		b := s.buffer((n - s.written) * s.entrySize)
		s.encode(b, es[s.written:], s.base)
		at := int64(s.written) * int64(s.entrySize)
		if _, err := s.file.WriteAt(b, at); err != nil {
			return ioError("writing", s.path, err)
		}
		s.unsynced = true
		s.written = n
		s.dirtyTo = max(s.dirtyTo, n)
		s.fileSize = max(s.fileSize, at+int64(len(b)))
	}
	if s.dirtyTo > n {
		// Cutting the file is one call however many entries were
		// dropped; growing it again restores a zero tail.
		if err := s.truncateFile(int64(n) * int64(s.entrySize)); err != nil {
			return err
		}
		if s.prealloc {
			if err := s.preallocate(); err != nil {
				return err
			}
		}
	}
	if sync && s.unsynced {
		if err := s.file.Sync(); err != nil {
			return ioError("syncing", s.path, err)
		}
		s.unsynced = false
	}
	return nil
}

// seal flushes, cuts the file to its entries, syncs it and lets it go.
func (s *store[E]) seal() error {
	if s.closed {
		return s.errClosed("sealing")
	}
	if s.discarded.Load() {
		return s.releaseFile()
	}
	n := len(s.load())
	want := int64(n) * int64(s.entrySize)
	if s.fileSize != want || s.written < n || s.dirtyTo > n {
		if err := s.ensureFile(); err != nil {
			return err
		}
	}
	s.prealloc = false // so that flush does not grow the file again
	if err := s.flush(false); err != nil {
		return err
	}
	if s.fileSize != want {
		if err := s.truncateFile(want); err != nil {
			return err
		}
	}
	if s.file == nil {
		return nil
	}
	if s.unsynced {
		if err := s.file.Sync(); err != nil {
			return ioError("syncing", s.path, err)
		}
		s.unsynced = false
	}
	return s.releaseFile()
}

// resize sets the capacity to maxBytes worth of entries, or the present
// number if that is more; the next flush that writes entries preallocates
// the file for it.
func (s *store[E]) resize(maxBytes int) error {
	if s.closed {
		return s.errClosed("resizing")
	}
	if maxBytes < s.entrySize {
		return fmt.Errorf("index: %s: maximum size %d is less than one %d-byte entry", s.path, maxBytes, s.entrySize)
	}
	s.maxEntries.Store(int64(max(maxBytes/s.entrySize, len(s.load()))))
	s.prealloc = true
	return nil
}

// releaseFile closes the held file, if any; ensureFile opens it again.
func (s *store[E]) releaseFile() error {
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	if err != nil {
		return ioError("closing", s.path, err)
	}
	return nil
}

// close writes the pending entries, cuts a file it preallocated back to
// its entries, and lets the file go, without syncing; a discarded store
// only lets the file go.
func (s *store[E]) close() error {
	if s.closed {
		return s.errClosed("closing")
	}
	s.closed = true
	if s.discarded.Load() {
		return s.releaseFile()
	}
	err := s.flush(false)
	want := int64(len(s.load())) * int64(s.entrySize)
	if err == nil && (s.file != nil || s.prealloc) && s.fileSize != want {
		if err = s.ensureFile(); err == nil {
			err = s.truncateFile(want)
		}
	}
	if s.file != nil {
		if cerr := s.file.Close(); cerr != nil {
			err = errors.Join(err, ioError("closing", s.path, cerr))
		}
		s.file = nil
	}
	s.buf = nil
	return err
}

// last returns the last entry, and false if there is none.
func (s *store[E]) last() (E, bool) {
	es := s.load()
	if len(es) == 0 {
		var zero E
		return zero, false
	}
	return es[len(es)-1], true
}

// all returns the entries in order, as they were when all was called.
func (s *store[E]) all() iter.Seq[E] {
	es := s.load()
	return func(yield func(E) bool) {
		for _, e := range es {
			if !yield(e) {
				return
			}
		}
	}
}
