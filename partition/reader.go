package partition

import (
	"context"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
)

// Reader reads a partition's committed records one at a time, from an
// offset on, never past the high watermark. It reads whole batches
// underneath (see log.Reader). Next returns false once it has returned
// every committed record, with a nil Err; Wait blocks until there are
// more. A Reader is for one goroutine.
//
//	r := p.NewReader(offset)
//	for {
//		for r.Next() {
//			use(r.Record())
//		}
//		if err := r.Err(); err != nil { ... }
//		if err := r.Wait(ctx); err != nil { ... }
//	}
type Reader struct {
	p   *Partition
	r   *log.Reader
	err error
}

// NewReader returns a Reader positioned at offset.
func (p *Partition) NewReader(offset int64) *Reader {
	return &Reader{p: p, r: p.log.NewReader(offset)}
}

// Next advances to the next committed record and reports whether there is
// one.
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	hw := r.p.HighWatermark()
	if r.r.Offset() >= hw {
		if r.p.closed.Load() {
			r.err = r.p.wrap("read", ErrClosed)
		}
		return false
	}
	r.r.SetMaxOffset(hw)
	if r.r.Next() {
		return true
	}
	r.err = r.p.wrap("read", r.r.Err())
	return false
}

// Record returns the record Next found. The Reader reuses it: it is valid
// until the next call to Next, and its byte slices point into the Reader's
// buffer. Keep a record past that with [record.Record.Clone].
func (r *Reader) Record() *record.Record { return r.r.Record() }

// Offset is the offset of the record the next call to Next would return,
// if it exists.
func (r *Reader) Offset() int64 { return r.r.Offset() }

// Err returns the error that stopped the reader, or nil.
func (r *Reader) Err() error { return r.err }

// SetOffset positions the reader at offset and clears a previous error.
func (r *Reader) SetOffset(offset int64) {
	r.r.SetOffset(offset)
	r.err = nil
}

// Wait blocks until the reader has a committed record to return (see
// Partition.Wait).
func (r *Reader) Wait(ctx context.Context) error { return r.p.Wait(ctx, r.r.Offset()) }

// Partition is the partition the reader reads.
func (r *Reader) Partition() *Partition { return r.p }
