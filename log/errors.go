package log

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

var (
	// ErrClosed is returned by every operation on a closed log.
	ErrClosed = errors.New("log: closed")
	// ErrInvalidConfig means an option is out of range.
	ErrInvalidConfig = errors.New("log: invalid configuration")
	// ErrOffsetOutOfRange is wrapped by *OffsetOutOfRangeError.
	ErrOffsetOutOfRange = errors.New("log: offset out of range")
	// ErrBatchTooLarge means a batch is larger than Options.MaxBatchBytes,
	// or an append larger than a segment.
	ErrBatchTooLarge = errors.New("log: batch too large")
	// ErrEmptyBatch means a leader append held a batch with no records.
	ErrEmptyBatch = errors.New("log: batch has no records")
	// ErrUnexpectedOffset means a follower append did not start at or
	// after the log end, or its batches' offsets went backwards. It is
	// wrapped by *UnexpectedOffsetError.
	ErrUnexpectedOffset = errors.New("log: unexpected offset in follower append")
	// ErrCorrupt is record.ErrCorrupt: bytes handed to Append, or found on
	// disk, that break the batch format.
	ErrCorrupt = record.ErrCorrupt
	// ErrInvalidTimestamp means ListOffset was given a negative time that
	// is none of the special times it takes.
	ErrInvalidTimestamp = errors.New("log: invalid list-offsets timestamp")
	// ErrLocked is vfs.ErrLocked: the directory is open in another Log,
	// in this process or another.
	ErrLocked = vfs.ErrLocked
	// ErrReadOnly is returned by every call that would change a log
	// opened with Options.ReadOnly.
	ErrReadOnly = errors.New("log: opened read-only")
	// ErrChangedWhileOpening is wrapped by the error of an Open with
	// Options.ReadOnly when a writer rolled or deleted segments during
	// each of its reads of the log, so that none is known to show a log
	// the writer had. Opening again later may succeed.
	ErrChangedWhileOpening = errors.New("log: the segments changed while opened read-only")
)

// OffsetOutOfRangeError reports an offset below the log start or above the
// log end. It unwraps to ErrOffsetOutOfRange.
type OffsetOutOfRangeError struct {
	Offset   int64 // the offset asked for
	LogStart int64 // the first offset the log holds
	LogEnd   int64 // the offset the next record will get
}

// Error describes the offset and the range the log holds.
func (e *OffsetOutOfRangeError) Error() string {
	return fmt.Sprintf("log: offset %d out of range [%d, %d]", e.Offset, e.LogStart, e.LogEnd)
}

// Unwrap returns ErrOffsetOutOfRange.
func (e *OffsetOutOfRangeError) Unwrap() error { return ErrOffsetOutOfRange }

// UnexpectedOffsetError reports a follower append refused for its offsets,
// as Kafka's UnexpectedAppendOffsetException does, with what a fetcher
// needs to start again: the offsets the append held and the log end. It
// unwraps to ErrUnexpectedOffset.
type UnexpectedOffsetError struct {
	// FirstOffset and LastOffset are the first and last offsets of the
	// append, as its batch headers give them.
	FirstOffset, LastOffset int64
	// LogEnd is the log end the append had to start at or after.
	LogEnd int64
	// BatchOffset is the base offset of the batch refused, and Expected
	// the offset it had to be at or after: the log end for the first
	// batch, the offset after the one before it otherwise.
	BatchOffset, Expected int64
}

// Error describes the append and where the log stands.
func (e *UnexpectedOffsetError) Error() string {
	return fmt.Sprintf("log: unexpected offset in follower append of offsets %d to %d: batch at %d, expected %d or later (log end %d)",
		e.FirstOffset, e.LastOffset, e.BatchOffset, e.Expected, e.LogEnd)
}

// Unwrap returns ErrUnexpectedOffset.
func (e *UnexpectedOffsetError) Unwrap() error { return ErrUnexpectedOffset }

// failedError wraps the error that made the log stop accepting writes.
type failedError struct{ cause error }

func (e *failedError) Error() string {
	return "log: refusing writes after an earlier failure (reopen the log): " + e.cause.Error()
}

func (e *failedError) Unwrap() error { return e.cause }
