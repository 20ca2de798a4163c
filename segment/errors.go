package segment

import (
	"errors"
	"fmt"
)

var (
	// ErrClosed is returned by operations on a segment that was closed.
	ErrClosed = errors.New("segment: closed")
	// ErrOutOfOrder means an append does not continue the segment: its
	// first offset is below the segment's next offset.
	ErrOutOfOrder = errors.New("segment: offsets out of order")
	// ErrOffsetOverflow means a batch's offsets lie more than
	// math.MaxInt32 past the segment's base offset, beyond what its
	// indexes' 32-bit relative offsets reach: Kafka's
	// LogSegmentOffsetOverflowException. An append that would overflow is
	// refused whole; recovery splits a segment that a writer without that
	// check left overflowing (see [Segment.Split]).
	ErrOffsetOverflow = errors.New("segment: offset overflows the segment's 32-bit relative offsets")
	// ErrMisnamed means a segment's first batch begins below the base
	// offset its file is named by: the file was renamed, or holds another
	// segment's bytes. It comes wrapped with record.ErrCorrupt, and
	// recovery refuses such a segment rather than cut it, since its
	// batches are whole.
	ErrMisnamed = errors.New("segment: first batch below the segment's base offset")
)

// OverflowError reports the first batch of a segment whose offsets do not
// fit its 32-bit relative offsets. It unwraps to ErrOffsetOverflow.
type OverflowError struct {
	// Path is the segment's log file.
	Path string
	// Pos is the batch's byte position in the file.
	Pos int64
	// BaseOffset and LastOffset are the batch's offsets.
	BaseOffset, LastOffset int64
}

// Error describes the batch and the segment.
func (e *OverflowError) Error() string {
	return fmt.Sprintf("segment %s: batch at byte %d holds offsets %d to %d: %v",
		e.Path, e.Pos, e.BaseOffset, e.LastOffset, ErrOffsetOverflow)
}

// Unwrap returns ErrOffsetOverflow.
func (e *OverflowError) Unwrap() error { return ErrOffsetOverflow }
