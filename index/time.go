package index

import (
	"iter"

	"github.com/commitlog-go/commitlog/vfs"
)

// TimeEntry is one entry of a time index: Timestamp is the largest
// timestamp in the segment up to and including Offset.
type TimeEntry struct {
	// Timestamp is in milliseconds since the Unix epoch.
	Timestamp int64
	// Offset is absolute, not relative to the segment.
	Offset int64
}

// TimeIndex is a segment's time index (.timeindex): a sparse map from
// timestamps to the offsets by which the segment had reached them, held
// in memory and written to its file on Flush, Seal and Close.
//
// Its last slot is kept for the entry written when the segment is sealed,
// which records the segment's largest timestamp: Full reports true one
// entry early, and Append with skipFullCheck may use that slot.
//
// One goroutine at a time may call the writer methods (Append, TruncateTo,
// Reset, Flush, Seal, Resize, Close); any number may call the reader
// methods (Lookup, Len, Last, All, Full, MaxEntries, CanAppendOffset,
// BaseOffset, Path) at the same time as the writer and each other.
type TimeIndex struct {
	s store[TimeEntry]
}

// OpenTimeIndex opens the time index file at path, of the segment whose
// first offset is baseOffset, and loads its entries. The arguments and
// errors are those of [OpenOffsetIndex].
func OpenTimeIndex(fsys vfs.FS, path string, baseOffset int64, maxBytes int, writable bool) (*TimeIndex, error) {
	x := &TimeIndex{}
	x.s.fsys, x.s.path, x.s.base = fsys, path, baseOffset
	x.s.entrySize, x.s.encode = TimeEntrySize, putTimeEntries
	if err := x.s.open(maxBytes, writable, decodeTimeEntries); err != nil {
		return nil, err
	}
	return x, nil
}

// decodeTimeEntries decodes the entries in b into es[first:] and checks
// that appends could have made them, each after the one before.
func decodeTimeEntries(path string, b []byte, base int64, es []TimeEntry, first int) error {
	// Before the first entry, the one an empty index behaves as if it
	// ended with: then "after the previous entry" also says "timestamp
	// not negative, offset at or above the base", and a relative offset
	// that wraps the base offset goes negative and fails it too.
	prev := TimeEntry{Timestamp: NoTimestamp, Offset: base}
	if first > 0 {
		prev = es[first-1]
	}
	out := es[first : first+len(b)/TimeEntrySize]
	for j := range out {
		raw := b[j*TimeEntrySize : (j+1)*TimeEntrySize]
		ts := int64(be.Uint64(raw[timeTimestampAt:]))
		rel := int32(be.Uint32(raw[timeRelativeAt:]))
		e := TimeEntry{Timestamp: ts, Offset: base + int64(rel)}
		if e.Timestamp <= prev.Timestamp || e.Offset < prev.Offset {
			return badTimeEntry(path, first+j, base, ts, rel, prev)
		}
		out[j] = e
		prev = e
	}
	return nil
}

// badTimeEntry says what is wrong with entry i, {ts, rel}, which follows
// prev.
func badTimeEntry(path string, i int, base, ts int64, rel int32, prev TimeEntry) error {
	off := base + int64(rel)
	switch {
	case ts < 0:
		return corrupt(path, i, "timestamp %d is negative", ts)
	case rel < 0:
		return corrupt(path, i, "relative offset %d is negative", rel)
	case off < base:
		return corrupt(path, i, "relative offset %d overflows base offset %d", rel, base)
	case ts <= prev.Timestamp:
		return corrupt(path, i, "timestamp %d is not above %d", ts, prev.Timestamp)
	default:
		return corrupt(path, i, "offset %d is below %d", off, prev.Offset)
	}
}

// Append records that the largest timestamp up to offset is timestamp.
//
// An offset below the last entry's or a timestamp below the last entry's
// fails with ErrOrder. A timestamp equal to the last entry's adds nothing
// and is not an error, and neither is a timestamp of NoTimestamp or less
// on an empty index (as though it ended with an entry {NoTimestamp,
// BaseOffset}). Otherwise offset must lie in [BaseOffset,
// BaseOffset+math.MaxInt32] (ErrOverflow) and the index must have room
// (ErrFull): without skipFullCheck, room outside the reserved last slot.
// The entry is visible to readers when Append returns, and in the file
// after the next Flush, Seal or Close.
func (x *TimeIndex) Append(timestamp, offset int64, skipFullCheck bool) error {
	s := &x.s
	if s.closed {
		return s.errClosed("appending to")
	}
	es := s.load()
	last := TimeEntry{Timestamp: NoTimestamp, Offset: s.base}
	if n := len(es); n > 0 {
		last = es[n-1]
		if offset < last.Offset {
			return appendError(ErrOrder, s.path, "offset %d is below the last entry's, %d", offset, last.Offset)
		}
		if timestamp < last.Timestamp {
			return appendError(ErrOrder, s.path, "timestamp %d is below the last entry's, %d", timestamp, last.Timestamp)
		}
	}
	if timestamp <= last.Timestamp {
		return nil
	}
	if !relativeFits(offset, s.base) {
		return appendError(ErrOverflow, s.path, "offset %d is not within 2^31-1 above the base offset %d", offset, s.base)
	}
	room := s.maxEntriesInt()
	if !skipFullCheck {
		room--
	}
	if len(es) >= room {
		return appendError(ErrFull, s.path, "%d of %d entries are used", len(es), s.maxEntriesInt())
	}
	s.add(TimeEntry{Timestamp: timestamp, Offset: offset}, s.maxEntriesInt())
	return nil
}

// Lookup returns the entry with the largest timestamp at or below ts, or
// {NoTimestamp, BaseOffset} if there is none. When each entry's offset is
// that of the batch where its timestamp was first reached, as a segment
// makes them, no batch before the one holding the returned offset has a
// timestamp at or above ts, so a search for the first such record starts
// there.
func (x *TimeIndex) Lookup(ts int64) TimeEntry {
	es := x.s.load()
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].Timestamp <= ts {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return TimeEntry{Timestamp: NoTimestamp, Offset: x.s.base}
	}
	return es[lo-1]
}

// TruncateTo drops the entries whose offset is offset or more. Their
// bytes leave the file at the next Flush, Seal or Close. It does nothing
// to a closed index.
func (x *TimeIndex) TruncateTo(offset int64) {
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

// Reset drops every entry.
func (x *TimeIndex) Reset() { x.s.truncate(0) }

// Len returns the number of entries.
func (x *TimeIndex) Len() int { return len(x.s.load()) }

// Last returns the last entry, and false if there is none.
func (x *TimeIndex) Last() (TimeEntry, bool) { return x.s.last() }

// All returns the entries in order, as they were when All was called.
func (x *TimeIndex) All() iter.Seq[TimeEntry] { return x.s.all() }

// MaxEntries returns the number of entries the index has room for,
// counting the reserved last slot.
func (x *TimeIndex) MaxEntries() int { return x.s.maxEntriesInt() }

// Full reports whether Append without skipFullCheck would fail with
// ErrFull: whether only the reserved last slot, or none, is left.
func (x *TimeIndex) Full() bool { return x.Len() >= x.MaxEntries()-1 }

// CanAppendOffset reports whether offset can be stored relative to the
// base offset: whether it lies in [BaseOffset, BaseOffset+math.MaxInt32].
func (x *TimeIndex) CanAppendOffset(offset int64) bool { return relativeFits(offset, x.s.base) }

// BaseOffset returns the base offset of the index's segment.
func (x *TimeIndex) BaseOffset() int64 { return x.s.base }

// Path returns the name of the index file.
func (x *TimeIndex) Path() string { return x.s.path }

// Flush writes the entries not yet in the file with one write, clears the
// bytes of entries dropped since they were written, and syncs the file if
// any of that changed it (or an earlier change is not yet synced).
func (x *TimeIndex) Flush() error {
	if x.s.closed {
		return x.s.errClosed("flushing")
	}
	return x.s.flush(true)
}

// Seal makes the file exactly the entries, with nothing after them: it
// writes what is pending, cuts the file to the entries, syncs it, and lets
// it go. The caller appends the segment's final entry (with skipFullCheck)
// before sealing. Resize makes the index ready for appending again.
func (x *TimeIndex) Seal() error { return x.s.seal() }

// Resize sets the room of the index to maxBytes worth of entries (never
// fewer than it holds); the next Flush that writes entries preallocates
// the file to match.
func (x *TimeIndex) Resize(maxBytes int) error { return x.s.resize(maxBytes) }

// Close writes the pending entries, cuts a file the index preallocated
// back to its entries, and releases the file, without syncing. After
// Close the writer methods fail with an error wrapping ErrClosed
// (TruncateTo and Reset do nothing), and the reader methods go on
// answering from the entries in memory.
func (x *TimeIndex) Close() error { return x.s.close() }

// Discard makes the index leave its file alone from now on, for a segment
// whose files were removed while readers still use it: the pending
// entries are never written, Flush, Seal and Close write nothing (Close
// only releases a file the index holds), and the reader methods go on
// answering from the entries in memory. Without it, the last Close would
// create the removed file again under a name that a new segment of the
// same base offset may have taken.
func (x *TimeIndex) Discard() { x.s.discard() }
