package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/commitlog-go/commitlog/record"
)

// batchScanner walks the batches of a segment's .log file with a
// record.Scanner, a window of the file at a time, so that a segment of a
// gigabyte never sits in memory whole: the window holds a megabyte, or the
// largest batch.
//
//	bs := newBatchScanner(f, size, record.CheckAll)
//	for bs.Next() {
//		use(bs.Batch(), bs.Pos())
//	}
//	err := bs.Err() // nil, a *record.CorruptError, a *tornError or a read error
type batchScanner struct {
	r     io.ReaderAt
	size  int64 // of the file
	check record.Check
	buf   []byte
	start int64 // file position of buf[0]
	n     int   // bytes of buf read
	s     record.Scanner
	err   error
}

// scanWindow is how much of the file a batchScanner reads at a time.
const scanWindow = 1 << 20

func newBatchScanner(r io.ReaderAt, size int64, check record.Check) *batchScanner {
	return &batchScanner{r: r, size: size, check: check}
}

// Next advances to the next batch and reports whether there is one. It
// returns false at the end of the file, at a partial batch at its end and
// at a batch that fails its checks; Err tells which.
func (bs *batchScanner) Next() bool {
	for bs.err == nil {
		if bs.s.Next() {
			return true
		}
		if err := bs.s.Err(); err != nil {
			var ce *record.CorruptError
			if errors.As(err, &ce) && ce.Pos >= 0 {
				ce.Pos += bs.start
			}
			bs.err = err
			return false
		}
		used := bs.s.Valid()
		if bs.start+int64(bs.n) == bs.size {
			if bs.s.Partial() {
				bs.err = bs.torn(bs.buf[used:bs.n], bs.start+int64(used))
			}
			return false
		}
		bs.refill(used)
	}
	return false
}

// Batch is the batch Next found; it is valid until the next call.
func (bs *batchScanner) Batch() record.Batch { return bs.s.Batch() }

// Pos is the position of the batch Next found in the file, or after Next
// returned false the position of the first byte not taken by a whole,
// valid batch.
func (bs *batchScanner) Pos() int64 { return bs.start + int64(bs.s.Pos()) }

// Err returns what stopped the scan before the end of the file, or nil.
func (bs *batchScanner) Err() error { return bs.err }

// stopReason describes an error of Err that is damage in the file, with
// its position, or returns false for another error.
func stopReason(err error) (string, bool) {
	var ce *record.CorruptError
	var te *tornError
	switch {
	case errors.As(err, &te):
		return te.Error(), true
	case errors.As(err, &ce):
		return fmt.Sprintf("corrupt batch at byte %d: %s", ce.Pos, reason(err)), true
	}
	return "", false
}

// refill moves the bytes from used on to the start of the window and reads
// the file after them, growing the window to hold a batch larger than it.
func (bs *batchScanner) refill(used int) {
	rest := copy(bs.buf, bs.buf[used:bs.n])
	bs.start += int64(used)
	bs.n = rest
	bs.s.Reset(bs.buf[:rest], bs.check) // Pos is bs.start if reading fails
	need := max(len(bs.buf), scanWindow)
	if rest >= record.LogOverhead {
		if want := int64(record.LogOverhead) + int64(record.Batch(bs.buf[:rest]).Length()); want > int64(need) {
			if want > bs.size-bs.start {
				// It cannot be whole: do not read a window of it.
				bs.err = &tornError{Pos: bs.start, Have: bs.size - bs.start, Want: want}
				return
			}
			need = int(want)
		}
	}
	if need > len(bs.buf) {
		buf := make([]byte, need)
		copy(buf, bs.buf[:rest])
		bs.buf = buf
	}
	m := int(min(int64(len(bs.buf)-rest), bs.size-bs.start-int64(rest)))
	if _, err := bs.r.ReadAt(bs.buf[rest:rest+m], bs.start+int64(rest)); err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("the file shrank while being read: %w", err)
		}
		bs.err = fmt.Errorf("reading at byte %d: %w", bs.start+int64(rest), err)
		return
	}
	bs.n = rest + m
	bs.s.Reset(bs.buf[:bs.n], bs.check)
}

// torn describes the partial batch tail at the end of the file, at pos.
func (bs *batchScanner) torn(tail []byte, pos int64) error {
	e := &tornError{Pos: pos, Have: int64(len(tail))}
	if len(tail) >= record.LogOverhead {
		e.Want = int64(record.LogOverhead) + int64(record.Batch(tail).Length())
	}
	return e
}

// tornError is a batch cut off by the end of the file: what a write torn
// by a crash leaves, or a damaged length field.
type tornError struct {
	Pos        int64 // the batch's position
	Have, Want int64 // bytes from Pos to the end of the file; the batch's size, 0 if unknown
}

func (e *tornError) Error() string {
	if e.Want == 0 {
		return fmt.Sprintf("torn tail at byte %d: %d bytes, too few for a batch header (a torn write)", e.Pos, e.Have)
	}
	return fmt.Sprintf("torn tail at byte %d: the batch there declares %d bytes, the file ends after %d (a torn write, or a damaged length)", e.Pos, e.Want, e.Have)
}

// Unwrap returns record.ErrTruncated.
func (e *tornError) Unwrap() error { return record.ErrTruncated }

// openLogFile opens a segment file for reading only and returns its size.
func openLogFile(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is not a regular file", path)
	}
	return f, fi.Size(), nil
}
