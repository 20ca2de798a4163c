package index

import (
	"encoding/binary"
	"math"
)

// An offset index file (.index) is an array of fixed-size entries and
// nothing else: no header, no checksum, no count. Each entry points from
// an offset to the byte in the segment's .log file where the batch that
// holds it starts. Integers are big-endian and signed.
//
//	byte   0        4        8       12       16       ...
//	       +--------+--------+--------+--------+--
//	       | rel 0  | pos 0  | rel 1  | pos 1  |  ...
//	       +--------+--------+--------+--------+--
//	        \______ entry 0 _/\______ entry 1 _/
//
//	offset size field     meaning
//	     0    4 relative  entry offset - segment base offset, >= 0
//	     4    4 position  byte position of a batch in the .log file, >= 0
//
// Entries are sparse (about one per IndexIntervalBytes of batches) and
// both fields strictly increase from one entry to the next. The offset of
// an entry is the last offset of the append that created it; the position
// is where that append began.
const (
	// OffsetEntrySize is the size in bytes of one offset index entry.
	OffsetEntrySize = 8

	offsetRelativeAt = 0
	offsetPositionAt = 4
)

// A time index file (.timeindex) is laid out the same way with wider
// entries. An entry says: by the time the log reached this offset, the
// largest timestamp it had seen was this one.
//
//	byte   0                 8        12                20       24
//	       +-----------------+--------+-----------------+--------+--
//	       | timestamp 0     | rel 0  | timestamp 1     | rel 1  |  ...
//	       +-----------------+--------+-----------------+--------+--
//	        \_______ entry 0 ________/ \_______ entry 1 ________/
//
//	offset size field      meaning
//	     0    8 timestamp  milliseconds since the Unix epoch, >= 0
//	     8    4 relative   entry offset - segment base offset, >= 0
//
// Timestamps strictly increase from one entry to the next; offsets never
// decrease (two entries may share one).
const (
	// TimeEntrySize is the size in bytes of one time index entry.
	TimeEntrySize = 12

	timeTimestampAt = 0
	timeRelativeAt  = 8
)

// Either file may be followed by zero bytes up to its preallocated size:
// an index a segment appends to is sized for its maximum number of entries
// from the start, and only a sealed index is cut to its entries. The zero
// tail is not data. See doc.go for how a file is checked when it is read.

// NoTimestamp is the timestamp [TimeIndex.Lookup] reports when no entry
// is at or below the target, and the one an empty time index behaves as
// if it ended with.
const NoTimestamp int64 = -1

// maxRelative is the largest value either 32-bit field can hold.
const maxRelative = math.MaxInt32

var be = binary.BigEndian

// putOffsetEntries encodes es into dst, which must hold
// len(es)*OffsetEntrySize bytes. Every entry must fit: Append checks.
func putOffsetEntries(dst []byte, es []OffsetEntry, base int64) {
	for i, e := range es {
		b := dst[i*OffsetEntrySize : (i+1)*OffsetEntrySize]
		be.PutUint32(b[offsetRelativeAt:], uint32(e.Offset-base))
		be.PutUint32(b[offsetPositionAt:], uint32(e.Position))
	}
}

// putTimeEntries encodes es into dst, which must hold
// len(es)*TimeEntrySize bytes.
func putTimeEntries(dst []byte, es []TimeEntry, base int64) {
	for i, e := range es {
		b := dst[i*TimeEntrySize : (i+1)*TimeEntrySize]
		be.PutUint64(b[timeTimestampAt:], uint64(e.Timestamp))
		be.PutUint32(b[timeRelativeAt:], uint32(e.Offset-base))
	}
}

// relativeFits reports whether offset lies in [base, base+MaxInt32], so
// that it can be stored as a relative offset.
func relativeFits(offset, base int64) bool {
	// With 0 <= base <= offset the difference cannot overflow.
	return offset >= base && offset-base <= maxRelative
}
