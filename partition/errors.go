package partition

import (
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
)

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
