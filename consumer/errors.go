package consumer

import (
	"github.com/commitlog-go/commitlog/offsets"
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
)
