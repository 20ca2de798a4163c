package consumer

import (
	"fmt"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/topic"
)

var (
	// ErrClosed is returned by readers of a closed topic or registry. It
	// is topic.ErrClosed (and log.ErrClosed), so one errors.Is test
	// covers every layer.
	ErrClosed = topic.ErrClosed
	// ErrInvalidOffset means a reader's start named a negative offset. It
	// is offsets.ErrInvalidOffset, a commit's, so one errors.Is test
	// covers both.
	ErrInvalidOffset = offsets.ErrInvalidOffset
	// ErrUnknownPartition is topic.ErrUnknownPartition: a reader of a
	// partition the topic does not have.
	ErrUnknownPartition = topic.ErrUnknownPartition
	// ErrOffsetOutOfRange is partition.ErrOffsetOutOfRange, the kind of
	// an *OffsetOutOfRangeError.
	ErrOffsetOutOfRange = partition.ErrOffsetOutOfRange
)

// OffsetOutOfRangeError is partition.OffsetOutOfRangeError (the log's): a
// start past the log end, or, with Options.FailOnOutOfRange, a position
// below the log start. It carries the offset and the log's bounds.
type OffsetOutOfRangeError = partition.OffsetOutOfRangeError

// kindError is an error whose message says all that its kind, a sentinel,
// would, and more; it unwraps to the kind.
type kindError struct {
	kind error
	msg  string
}

// errorf returns an error of kind with a message formatted as fmt.Sprintf
// does; the message should read whole without the sentinel's text.
func errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// closedTopic is the error of a reader of t once t is closed.
func closedTopic(t *topic.Topic) error {
	return errorf(ErrClosed, "consumer: topic %q closed (deleted, or its registry closed)", t.Name())
}
