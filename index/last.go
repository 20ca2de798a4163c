package index

import (
	"bytes"

	"github.com/commitlog-go/commitlog/vfs"
)

// ReadLastOffsetEntry reads the last entry of the offset index file at
// path, of the segment whose first offset is baseOffset, and nothing else:
// what a segment that becomes active again needs to find its end, without
// loading entries it may never look up. found is false for an empty file.
//
// Only a file as a seal leaves it is read this way: one whose length is a
// multiple of the entry size and whose last entry is not zero (a zero
// entry ends a preallocated file). Any other file gives a *CorruptError,
// and the caller opens it whole, which checks every entry. The last entry
// itself is checked as Open checks a first entry.
func ReadLastOffsetEntry(fsys vfs.FS, path string, baseOffset int64) (e OffsetEntry, found bool, err error) {
	var es [1]OffsetEntry
	found, err = readLast(fsys, path, OffsetEntrySize, func(b []byte) error {
		return decodeOffsetEntries(path, b, baseOffset, es[:], 0)
	})
	return es[0], found, err
}

// ReadLastTimeEntry is ReadLastOffsetEntry for a time index file.
func ReadLastTimeEntry(fsys vfs.FS, path string, baseOffset int64) (e TimeEntry, found bool, err error) {
	var es [1]TimeEntry
	found, err = readLast(fsys, path, TimeEntrySize, func(b []byte) error {
		return decodeTimeEntries(path, b, baseOffset, es[:], 0)
	})
	return es[0], found, err
}

// readLast reads the last entrySize bytes of the file at path and hands
// them to decode, after checking that the file is as a seal leaves it.
func readLast(fsys vfs.FS, path string, entrySize int, decode func([]byte) error) (bool, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return false, ioError("opening", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, ioError("reading", path, err)
	}
	size := info.Size()
	switch {
	case size == 0:
		return false, nil
	case size%int64(entrySize) != 0:
		return false, corrupt(path, -1, "length %d is not a multiple of the %d-byte entry", size, entrySize)
	case size > maxFileSize:
		return false, corrupt(path, -1, "length %d is over the largest index size, %d", size, maxFileSize)
	}
	last := int(size/int64(entrySize)) - 1
	b := make([]byte, entrySize)
	if err := readFull(f, path, b, size-int64(entrySize)); err != nil {
		return false, err
	}
	if bytes.Equal(b, zeros[:entrySize]) {
		return false, corrupt(path, last, "the file ends in a zero entry, as a preallocated file does, not a sealed one")
	}
	if err := decode(b); err != nil {
		if ce, ok := err.(*CorruptError); ok {
			ce.Entry = last
		}
		return false, err
	}
	return true, nil
}
