package index

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt is wrapped by the error an Open function returns for a
	// file that fails the sanity check. The file holds nothing the log
	// does not, so the caller's remedy is to delete it and rebuild the
	// index from the segment's batches.
	ErrCorrupt = errors.New("index: corrupt index file")
	// ErrFull is wrapped by the error Append returns when the index has no
	// room for another entry. A full index makes the log roll.
	ErrFull = errors.New("index: index is full")
	// ErrOrder is wrapped by the error Append returns for an entry that
	// does not come after the last one.
	ErrOrder = errors.New("index: entry out of order")
	// ErrOverflow is wrapped by the error Append returns for an entry that
	// the 32-bit fields of the file cannot hold: an offset below the base
	// offset or more than math.MaxInt32 above it, or a position outside
	// [0, math.MaxInt32].
	ErrOverflow = errors.New("index: value does not fit in 32 bits")
	// ErrClosed is wrapped by the errors of the writer methods of an index
	// that was closed.
	ErrClosed = errors.New("index: index is closed")
)

// CorruptError says why a file failed the sanity check. It unwraps to
// ErrCorrupt.
type CorruptError struct {
	// Path names the file.
	Path string
	// Entry is the number of the first entry found wrong, counting from 0,
	// or -1 when the fault is the file's as a whole (its length).
	Entry int
	// Reason says what is wrong, in a few words.
	Reason string
}

// Error describes the corruption, for example
// "index: corrupt index file 00000000000000000000.index, entry 3: offset
// 70 is not above 75".
func (e *CorruptError) Error() string {
	if e.Entry < 0 {
		return fmt.Sprintf("%v %s: %s", ErrCorrupt, e.Path, e.Reason)
	}
	return fmt.Sprintf("%v %s, entry %d: %s", ErrCorrupt, e.Path, e.Entry, e.Reason)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// corrupt returns a *CorruptError for entry i of the file at path.
func corrupt(path string, i int, format string, args ...any) error {
	return &CorruptError{Path: path, Entry: i, Reason: fmt.Sprintf(format, args...)}
}

// appendError returns an error wrapping sentinel that names the file and
// the rejected entry.
func appendError(sentinel error, path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", sentinel, path, fmt.Sprintf(format, args...))
}

// ioError wraps an error of the filesystem with what was being done to
// which file.
func ioError(doing, path string, err error) error {
	return fmt.Errorf("index: %s %s: %w", doing, path, err)
}
