package compress

import (
	"errors"
	"fmt"
	"io"
)

// ErrUnknownCodec is wrapped by the errors for a [Codec] that is not valid
// and for a name [ParseCodec] does not know.
var ErrUnknownCodec = errors.New("compress: unknown codec")

// ErrTooLarge is wrapped by the error [Codec.AppendDecompressed] returns when
// the decompressed data would be longer than the caller's limit.
var ErrTooLarge = errors.New("compress: decompressed size exceeds limit")

// ErrCorrupt is wrapped by the error [Codec.AppendDecompressed] returns when
// its input is not a well-formed stream of the codec: truncated, damaged,
// failing a checksum or followed by trailing bytes. The underlying library's
// error, when there is one, is wrapped as well.
var ErrCorrupt = errors.New("compress: corrupt input")

// corrupt returns an error wrapping ErrCorrupt and, if it is not nil, cause.
// A stream that stops early is reported as io.ErrUnexpectedEOF.
func corrupt(cause error) error {
	if cause == nil {
		return ErrCorrupt
	}
	if cause == io.EOF {
		cause = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, cause)
}

// tooLarge returns an error wrapping ErrTooLarge that names the limit.
func tooLarge(limit int) error {
	return fmt.Errorf("%w of %d bytes", ErrTooLarge, limit)
}
