package record

import (
	"errors"
	"fmt"
)

// Check says how much of each batch a [Scanner] verifies.
type Check uint8

const (
	// CheckHeader verifies what is needed to walk from batch to batch: the
	// length, the magic and that the batch is whole. It suits trusted
	// bytes, such as a segment that was recovered already.
	CheckHeader Check = iota
	// CheckAll also runs [Batch.Validate] on every batch, CRC included. It
	// suits bytes from a disk after a crash or from the network.
	CheckAll
)

// Scanner walks a byte stream of concatenated batches: a segment file, or
// the records of a fetch response. It stops cleanly at a partial batch at
// the end, which is what a torn write or a size-limited fetch leaves, and
// reports how many bytes were whole, valid batches.
//
//	s := record.NewScanner(data, record.CheckAll)
//	for s.Next() {
//		b := s.Batch()
//		...
//	}
//	err := s.Err()      // corruption, or nil
//	good := s.Valid()   // bytes of whole, valid batches
//
// The zero value is a Scanner over no bytes; [Scanner.Reset] reuses one.
type Scanner struct {
	data    []byte
	pos     int
	check   Check
	batch   Batch
	partial bool
	err     error
}

// NewScanner returns a Scanner over data.
func NewScanner(data []byte, check Check) *Scanner {
	s := new(Scanner)
	s.Reset(data, check)
	return s
}

// Reset makes the Scanner walk data from its start.
func (s *Scanner) Reset(data []byte, check Check) {
	*s = Scanner{data: data, check: check}
}

// Next advances to the next batch and reports whether there is one. It
// returns false at the end of the data, at a partial trailing batch (see
// [Scanner.Partial]), or at a batch that fails its checks (see
// [Scanner.Err]).
func (s *Scanner) Next() bool {
	if s.err != nil || s.partial {
		return false
	}
	s.pos += len(s.batch)
	s.batch = nil
	rest := s.data[s.pos:]
	if len(rest) == 0 {
		return false
	}
	b, err := Parse(rest)
	if err == nil && s.check == CheckAll {
		err = b.Validate()
	}
	switch {
	case err == nil:
		s.batch = b
		return true
	case errors.Is(err, ErrTruncated):
		s.partial = true
	default:
		var ce *CorruptError
		if errors.As(err, &ce) {
			ce.Pos = int64(s.pos)
		} else {
			err = fmt.Errorf("record: batch at byte %d: %w", s.pos, err)
		}
		s.err = err
	}
	return false
}

// Batch returns the batch Next found. It is a view of the scanned bytes.
func (s *Scanner) Batch() Batch { return s.batch }

// Pos is the byte position of the current batch, or of the first byte not
// yet scanned once Next has returned false.
func (s *Scanner) Pos() int { return s.pos }

// Valid is the number of bytes, from the start of the data, taken by whole
// batches that passed their checks. After Next returns false it is where a
// recovering log cuts the file.
func (s *Scanner) Valid() int { return s.pos + len(s.batch) }

// Partial reports whether the scan stopped at a batch cut off by the end of
// the data.
func (s *Scanner) Partial() bool { return s.partial }

// Err returns the error that stopped the scan at a batch that is not
// partial but broken, or nil. It wraps ErrCorrupt.
func (s *Scanner) Err() error { return s.err }
