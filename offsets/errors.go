package offsets

import (
	"errors"

	"github.com/commitlog-go/commitlog/log"
)

var (
	// ErrClosed is returned by every operation on a closed Store. It is
	// log.ErrClosed, so one errors.Is test covers every layer.
	ErrClosed = log.ErrClosed
	// ErrReadOnly is returned by every change to a Store opened with
	// Options.ReadOnly. It is log.ErrReadOnly, which topic.ErrReadOnly
	// is too.
	ErrReadOnly = log.ErrReadOnly
	// ErrBadOffsets means the log of committed offsets holds a record
	// that does not decode.
	ErrBadOffsets = errors.New("offsets: unreadable committed offsets")
	// ErrInvalidGroup means a consumer group name is empty or longer
	// than 32,767 bytes.
	ErrInvalidGroup = errors.New("offsets: invalid consumer group name")
	// ErrInvalidTopic means a commit named no topic, or one longer than
	// 32,767 bytes.
	ErrInvalidTopic = errors.New("offsets: invalid topic name")
	// ErrInvalidPartition means a commit named a negative partition.
	ErrInvalidPartition = errors.New("offsets: invalid partition")
	// ErrInvalidOffset means a commit named a negative offset.
	ErrInvalidOffset = errors.New("offsets: invalid offset")
	// ErrMetadataTooLarge means a commit's metadata is longer than
	// MaxMetadata.
	ErrMetadataTooLarge = errors.New("offsets: commit metadata too large")
)
