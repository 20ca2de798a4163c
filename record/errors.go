package record

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrCorrupt is wrapped by every error about bytes that break the
	// RecordBatch v2 format: a bad CRC, impossible lengths or counts, a
	// record that does not parse.
	ErrCorrupt = errors.New("record: corrupt batch")
	// ErrTruncated means the bytes end inside a batch: fewer bytes than the
	// batch's Length field declares. At the end of a segment this is a torn
	// write; in a fetch response, a partial batch the sender cut off.
	ErrTruncated = errors.New("record: truncated batch")
	// ErrUnsupportedMagic means the batch is of another format version than
	// 2 (the message sets of Kafka before 0.11). It comes wrapped with
	// ErrCorrupt.
	ErrUnsupportedMagic = errors.New("record: unsupported magic")
)

// CorruptError describes a batch that breaks the format. It unwraps to
// ErrCorrupt and, where there is one, to the cause (for example a
// compress.ErrCorrupt or ErrUnsupportedMagic).
type CorruptError struct {
	// Pos is the batch's byte position in the stream it was read from, or
	// -1 when the reader does not know it.
	Pos int64
	// BaseOffset is the batch's base offset as stored, or -1 when the
	// header itself could not be read.
	BaseOffset int64
	// Reason says what is wrong, in a few words.
	Reason string
	// Err is the underlying cause, or nil.
	Err error
}

// Error describes the corruption, for example
// "record: corrupt batch at offset 42, byte 8080: crc mismatch".
func (e *CorruptError) Error() string {
	var b strings.Builder
	b.WriteString(ErrCorrupt.Error())
	if e.BaseOffset >= 0 {
		fmt.Fprintf(&b, " at offset %d", e.BaseOffset)
	}
	if e.Pos >= 0 {
		fmt.Fprintf(&b, ", byte %d", e.Pos)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns ErrCorrupt and the cause, if any.
func (e *CorruptError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrCorrupt}
	}
	return []error{ErrCorrupt, e.Err}
}

func corruptf(b Batch, format string, args ...any) *CorruptError {
	return &CorruptError{Pos: -1, BaseOffset: b.BaseOffset(), Reason: fmt.Sprintf(format, args...)}
}
