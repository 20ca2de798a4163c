package segment

import "errors"

var (
	// ErrClosed is returned by operations on a segment that was closed.
	ErrClosed = errors.New("segment: closed")
	// ErrOffsetOverflow means an offset lies too far from the segment's
	// base offset for the 32-bit relative offsets of its indexes: the log
	// must roll a new segment first.
	ErrOffsetOverflow = errors.New("segment: offset too far from the base offset")
	// ErrOutOfOrder means an append does not continue the segment: its
	// first offset is below the segment's next offset.
	ErrOutOfOrder = errors.New("segment: offsets out of order")
)
