package segment

import "errors"

var (
	// ErrClosed is returned by operations on a segment that was closed.
	ErrClosed = errors.New("segment: closed")
	// ErrOutOfOrder means an append does not continue the segment: its
	// first offset is below the segment's next offset.
	ErrOutOfOrder = errors.New("segment: offsets out of order")
)
