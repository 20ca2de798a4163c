package index

import (
	"iter"

	"github.com/commitlog-go/commitlog/vfs"
)

// OffsetEntry is one entry of an offset index: the batch holding Offset
// starts at byte Position of the segment's log file or after it. (A
// segment makes entries of the last offset of an append and the position
// where that append began, and an append may hold several batches.)
type OffsetEntry struct {
	// Offset is absolute, not relative to the segment.
	Offset int64
	// Position is a byte position in the log file.
	Position int64
}

// OffsetIndex is a segment's offset index (.index): a sparse map from
// offsets to byte positions in the segment's log file, held in memory and
// written to its file on Flush, Seal and Close.
//
// One goroutine at a time may call the writer methods (Append, TruncateTo,
// Reset, Flush, Seal, Resize, Close); any number may call the reader
// methods (Lookup, Len, Last, All, Full, MaxEntries, CanAppendOffset,
// BaseOffset, Path) at the same time as the writer and each other.
type OffsetIndex struct {
	s store[OffsetEntry]
}

// OpenOffsetIndex opens the offset index file at path, of the segment
// whose first offset is baseOffset, and loads its entries. maxBytes is the
// largest size the file may grow to; it is rounded down to whole entries.
//
// If writable is false the file must exist; it is read and closed, and
// the index holds no file until a writer method needs one. If writable is
// true a missing file is created, and the index is ready for appending:
// the first Flush that writes entries preallocates the file to maxBytes
// (cut down to that if it was larger and its entries fit). Until then the
// file is left as it was, so opening and closing an index that is never
// written changes nothing on disk. Creating a file does not make its name
// durable: that takes a sync of the directory, which is the caller's.
//
// A file that fails the sanity check (see the package documentation) gives
// a *CorruptError, which wraps ErrCorrupt. A file with more entries than
// maxBytes allows is loaded whole, and the index is then full.
func OpenOffsetIndex(fsys vfs.FS, path string, baseOffset int64, maxBytes int, writable bool) (*OffsetIndex, error) {
	x := &OffsetIndex{}
	x.s.fsys, x.s.path, x.s.base = fsys, path, baseOffset
	x.s.entrySize, x.s.encode = OffsetEntrySize, putOffsetEntries
	if err := x.s.open(maxBytes, writable, decodeOffsetEntries); err != nil {
		return nil, err
	}
	return x, nil
}

// decodeOffsetEntries decodes the entries in b into es[first:] and checks
// that appends could have made them, each after the one before.
func decodeOffsetEntries(path string, b []byte, base int64, es []OffsetEntry, first int) error {
	// Before the first entry, a virtual one just below anything valid:
	// then "above the previous entry" also says "offset at or above the
	// base, position not negative", and a relative offset that wraps the
	// base offset past math.MaxInt64 goes negative and fails it too.
	prev := OffsetEntry{Offset: base - 1, Position: -1}
	if first > 0 {
		prev = es[first-1]
	}
	out := es[first : first+len(b)/OffsetEntrySize]
	for j := range out {
		v := be.Uint64(b[j*OffsetEntrySize:])
		rel, pos := int32(v>>32), int32(v)
		e := OffsetEntry{Offset: base + int64(rel), Position: int64(pos)}
		if e.Offset <= prev.Offset || e.Position <= prev.Position {
			return badOffsetEntry(path, first+j, base, rel, pos, prev)
		}
		out[j] = e
		prev = e
	}
	return nil
}

// badOffsetEntry says what is wrong with entry i, {rel, pos}, which
// follows prev.
func badOffsetEntry(path string, i int, base int64, rel, pos int32, prev OffsetEntry) error {
	off := base + int64(rel)
	switch {
	case rel < 0:
		return corrupt(path, i, "relative offset %d is negative", rel)
	case off < base:
		return corrupt(path, i, "relative offset %d overflows base offset %d", rel, base)
	case pos < 0:
		return corrupt(path, i, "position %d is negative", pos)
	case off <= prev.Offset:
		return corrupt(path, i, "offset %d is not above %d", off, prev.Offset)
	default:
		return corrupt(path, i, "position %d is not above %d", pos, prev.Position)
	}
}

// Append adds an entry: the batch holding offset starts at position or
// after it. Both must exceed those of the last entry (ErrOrder), offset must lie in
// [BaseOffset, BaseOffset+math.MaxInt32] and position in
// [0, math.MaxInt32] (ErrOverflow), and the index must not be full
// (ErrFull). The entry is visible to readers when Append returns, and in
// the file after the next Flush, Seal or Close.
func (x *OffsetIndex) Append(offset, position int64) error {
	s := &x.s
	if s.closed {
		return s.errClosed("appending to")
	}
	if !relativeFits(offset, s.base) {
		return appendError(ErrOverflow, s.path, "offset %d is not within 2^31-1 above the base offset %d", offset, s.base)
	}
	if position < 0 || position > maxRelative {
		return appendError(ErrOverflow, s.path, "position %d", position)
	}
	es := s.load()
	if n := len(es); n > 0 {
		last := es[n-1]
		if offset <= last.Offset {
			return appendError(ErrOrder, s.path, "offset %d is not above the last entry's, %d", offset, last.Offset)
		}
		if position <= last.Position {
			return appendError(ErrOrder, s.path, "position %d is not above the last entry's, %d", position, last.Position)
		}
	}
	if len(es) >= s.maxEntriesInt() {
		return appendError(ErrFull, s.path, "all %d entries are used", s.maxEntriesInt())
	}
	s.add(OffsetEntry{Offset: offset, Position: position}, s.maxEntriesInt())
	return nil
}

// Lookup returns the entry with the largest offset at or below target, or
// {BaseOffset, 0} if there is none: the batch holding target starts at
// the returned position or after it.
func (x *OffsetIndex) Lookup(target int64) OffsetEntry {
	es := x.s.load()
	// Find the first entry above target; the one before it is the answer.
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].Offset <= target {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return OffsetEntry{Offset: x.s.base}
	}
	return es[lo-1]
}

// TruncateTo drops the entries whose offset is offset or more. Their
// bytes leave the file at the next Flush, Seal or Close. It does nothing
// to a closed index.
func (x *OffsetIndex) TruncateTo(offset int64) {
	es := x.s.load()
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].Offset < offset {
			lo = m + 1
		} else {
			hi = m
		}
	}
	x.s.truncate(lo)
}

// Reset drops every entry, as TruncateTo(BaseOffset()) does.
func (x *OffsetIndex) Reset() { x.s.truncate(0) }

// Len returns the number of entries.
func (x *OffsetIndex) Len() int { return len(x.s.load()) }

// Last returns the last entry, and false if there is none.
func (x *OffsetIndex) Last() (OffsetEntry, bool) { return x.s.last() }

// All returns the entries in order, as they were when All was called.
func (x *OffsetIndex) All() iter.Seq[OffsetEntry] { return x.s.all() }

// MaxEntries returns the number of entries the index has room for.
func (x *OffsetIndex) MaxEntries() int { return x.s.maxEntriesInt() }

// Full reports whether Append would fail with ErrFull.
func (x *OffsetIndex) Full() bool { return x.Len() >= x.MaxEntries() }

// CanAppendOffset reports whether offset can be stored relative to the
// base offset: whether it lies in [BaseOffset, BaseOffset+math.MaxInt32].
func (x *OffsetIndex) CanAppendOffset(offset int64) bool { return relativeFits(offset, x.s.base) }

// BaseOffset returns the base offset of the index's segment.
func (x *OffsetIndex) BaseOffset() int64 { return x.s.base }

// Path returns the name of the index file.
func (x *OffsetIndex) Path() string { return x.s.path }

// Flush writes the entries not yet in the file with one write, clears the
// bytes of entries dropped since they were written, and syncs the file if
// any of that changed it (or an earlier change is not yet synced).
func (x *OffsetIndex) Flush() error {
	if x.s.closed {
		return x.s.errClosed("flushing")
	}
	return x.s.flush(true)
}

// Seal makes the file exactly the entries, with nothing after them, as a
// segment that is no longer appended to leaves it: it writes what is
// pending, cuts the file to the entries, syncs it, and lets it go. The
// entries stay in memory for readers. Resize makes the index ready for
// appending again.
func (x *OffsetIndex) Seal() error { return x.s.seal() }

// Resize sets the room of the index to maxBytes worth of entries (never
// fewer than it holds); the next Flush that writes entries preallocates
// the file to match. A sealed segment that becomes active again calls it.
func (x *OffsetIndex) Resize(maxBytes int) error { return x.s.resize(maxBytes) }

// Close writes the pending entries, cuts a file the index preallocated
// back to its entries, and releases the file. It does not sync: Flush or
// Seal first for that. After Close the writer methods fail with an error
// wrapping ErrClosed (TruncateTo and Reset do nothing), and the reader
// methods go on answering from the entries in memory.
func (x *OffsetIndex) Close() error { return x.s.close() }

// Discard makes the index leave its file alone from now on, for a segment
// whose files were removed while readers still use it: the pending
// entries are never written, Flush, Seal and Close write nothing (Close
// only releases a file the index holds), and the reader methods go on
// answering from the entries in memory. Without it, the last Close would
// create the removed file again under a name that a new segment of the
// same base offset may have taken.
func (x *OffsetIndex) Discard() { x.s.discard() }
