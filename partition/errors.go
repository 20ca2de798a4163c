package partition

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/log"
)

// The errors of the log beneath, which partition errors wrap.
var (
	ErrClosed           = log.ErrClosed
	ErrOffsetOutOfRange = log.ErrOffsetOutOfRange
	ErrBatchTooLarge    = log.ErrBatchTooLarge
	ErrEmptyBatch       = log.ErrEmptyBatch
	ErrCorrupt          = log.ErrCorrupt
	ErrLocked           = log.ErrLocked
	ErrInvalidConfig    = log.ErrInvalidConfig
	ErrReadOnly         = log.ErrReadOnly
	ErrUnexpectedOffset = log.ErrUnexpectedOffset
)

// The errors of a partition's replica calls.
var (
	// ErrNotReplicated is returned by the calls only a replicated
	// partition (Options.Replicated) accepts: SetHighWatermark,
	// AppendFollower, TruncateTo and the like. An unreplicated
	// partition's appends are its commits, so nothing else may move its
	// high watermark or take committed records away.
	ErrNotReplicated = errors.New("partition is not replicated")
	// ErrTruncationBelowHighWatermark refuses a truncation that would
	// take away committed records: only an unclean leader election may
	// (TruncateBelowHighWatermark).
	ErrTruncationBelowHighWatermark = errors.New("truncation below the high watermark")
)

// UnexpectedOffsetError is the log's: a follower append that does not
// follow the log end.
type UnexpectedOffsetError = log.UnexpectedOffsetError

// OffsetOutOfRangeError is the log's: an offset below the log start or
// above the log end.
type OffsetOutOfRangeError = log.OffsetOutOfRangeError

// Error is an error of one partition's operation: it names the topic, the
// partition and the operation, and unwraps to the cause.
type Error struct {
	Topic     string
	Partition int32
	Op        string // "append", "read", "open", ...
	Err       error
}

// Error describes the failure with the partition's name.
func (e *Error) Error() string {
	return fmt.Sprintf("partition %s-%d: %s: %v", e.Topic, e.Partition, e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// wrap returns err as an *Error of p's operation op, or nil.
func (p *Partition) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Topic: p.topic, Partition: p.index, Op: op, Err: err}
}
