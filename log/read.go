package log

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

// DefaultReadBytes is the byte budget of a read whose options give none:
// 1 MiB, Kafka's default per-partition fetch size.
const DefaultReadBytes = 1 << 20

// ReadOptions bound a read.
type ReadOptions struct {
	// MaxBytes is the byte budget: the read returns whole batches that
	// fit in it. Default DefaultReadBytes.
	MaxBytes int
	// MaxOffset is an exclusive upper bound: no batch holding an offset
	// at or above it is returned. Zero or less means the log end. A
	// partition passes its high watermark here, so that consumers see
	// only committed records.
	MaxOffset int64
	// MinOneBatch makes a read whose first batch is larger than MaxBytes
	// return that batch alone rather than nothing, so that a consumer
	// with a small budget still makes progress.
	MinOneBatch bool
}

// ReadInfo describes what a read returned.
type ReadInfo struct {
	// Bytes is how many bytes of batches the read returned.
	Bytes int
	// FirstOffset is the base offset of the first batch returned. It may
	// be below the offset asked for: reads return whole batches, so the
	// first one can hold records before it. -1 when nothing was returned.
	FirstOffset int64
	// NextOffset is the offset to read from next: after the last batch
	// returned, or the offset asked for when nothing was.
	NextOffset int64
	// LogStartOffset and LogEndOffset are the log's bounds when the read
	// began.
	LogStartOffset, LogEndOffset int64
	// FirstBatchIncomplete says the read returned nothing because the
	// first batch is larger than the byte budget and MinOneBatch was not
	// set: Kafka's firstEntryIncomplete. A reader asks again with a
	// larger budget, or with MinOneBatch.
	FirstBatchIncomplete bool
}

// Read appends to dst the whole batches that hold offset and the offsets
// after it, within opts' budget and upper bound, from one segment, and
// returns the extended slice. The first batch may begin before offset; a
// reader skips those records (see [Reader]).
//
// Reading at the upper bound returns nothing and no error; an offset below
// the log start or above the log end is an *OffsetOutOfRangeError.
func (l *Log) Read(dst []byte, offset int64, opts ReadOptions) ([]byte, ReadInfo, error) {
	out := dst
	info, err := l.read(offset, opts, func(s *segment.Segment, start segment.BatchPosition, q query) (span, error) {
		// Read as much as the budget allows in one call, then keep the
		// whole batches below the upper bound.
		n := min(int64(q.budget), q.limit-start.Position)
		if int64(start.Size) > n {
			if !q.minOne {
				return span{first: -1, incomplete: start.LastOffset < q.upper}, nil
			}
			n = int64(start.Size)
		}
		buf := slices.Grow(dst, int(n))[:len(dst)+int(n)]
		m, err := s.ReadAt(buf[len(dst):], start.Position)
		if err != nil && !errors.Is(err, io.EOF) {
			return span{}, fmt.Errorf("log: reading segment %d: %w", s.BaseOffset(), err)
		}
		// A truncation may have shortened the file since the read began:
		// keep only what was read, and trim keeps only whole batches.
		sp, err := trim(buf[len(dst):len(dst)+m], q.upper)
		if err != nil {
			return span{}, fmt.Errorf("log: %s: %w", segment.Path(l.dir, s.BaseOffset(), segment.LogExt), positioned(err, start.Position))
		}
		out = buf[:len(dst)+sp.bytes]
		return sp, nil
	})
	if info.Bytes > 0 {
		l.metrics.Add(metrics.ReadBytes, metrics.Labels{}, float64(info.Bytes))
	}
	return out, info, err
}

// trim measures the whole batches at the start of data that end below
// upper. Batches whose offsets go back are damage: the one before them is
// not trusted either, and an error wrapping ErrCorrupt is returned when
// nothing before them is left.
func trim(data []byte, upper int64) (span, error) {
	sp := span{first: -1}
	var before span // sp as it was before the last batch taken
	var sc record.Scanner
	sc.Reset(data, record.CheckHeader)
	for sc.Next() {
		b := sc.Batch()
		if sp.first >= 0 && b.BaseOffset() < sp.next {
			if before.bytes == 0 {
				return span{}, &record.CorruptError{Pos: int64(sp.bytes), BaseOffset: b.BaseOffset(),
					Reason: fmt.Sprintf("offsets %d-%d do not follow %d", b.BaseOffset(), b.LastOffset(), sp.next)}
			}
			return before, nil
		}
		if b.LastOffset() >= upper {
			break
		}
		before = sp
		if sp.first < 0 {
			sp.first = b.BaseOffset()
		}
		sp.bytes, sp.next = sc.Valid(), b.NextOffset()
	}
	return sp, nil
}

// positioned makes the position of a *record.CorruptError, relative to
// the start of a read, the position in the segment file.
func positioned(err error, start int64) error {
	var ce *record.CorruptError
	if errors.As(err, &ce) && ce.Pos >= 0 {
		ce.Pos += start
	}
	return err
}

// ReadTo is Read writing the batches to w instead of into memory. When w
// is a socket and the log is on the OS filesystem, the bytes go from the
// file to the socket with sendfile, never through user memory.
//
// ReadInfo.Bytes is always the number of bytes written to w. A copy cut
// short (by w, or by a truncation that shortened the file under it, which
// gives an error wrapping io.ErrUnexpectedEOF) is an error, with Bytes the
// part that went out; nothing is written twice.
func (l *Log) ReadTo(w io.Writer, offset int64, opts ReadOptions) (ReadInfo, error) {
	return l.read(offset, opts, func(s *segment.Segment, start segment.BatchPosition, q query) (span, error) {
		// The bytes are not read here, so walk the batch headers to find
		// where the whole batches within bounds end.
		sp := span{first: -1}
		var before span // sp as it was before the last batch taken
		err := s.Batches(start.Position, q.limit, q.buf, func(b segment.BatchPosition) bool {
			end := b.Position + int64(b.Size) - start.Position
			if b.LastOffset >= q.upper || (end > int64(q.budget) && !(q.minOne && sp.bytes == 0)) {
				return false
			}
			before = sp
			if sp.first < 0 {
				sp.first = b.BaseOffset
			}
			sp.bytes, sp.next = int(end), b.LastOffset+1
			return end < int64(q.budget)
		})
		if errors.Is(err, ErrCorrupt) && before.bytes > 0 {
			// As Read does (see trim): the batches before the damage.
			sp, err = before, nil
		}
		if err == nil && sp.bytes == 0 && !q.minOne && start.LastOffset < q.upper {
			sp.incomplete = true
		}
		if err == nil && sp.bytes > 0 {
			n, bySendfile, cerr := copySection(w, s.File(), start.Position, int64(sp.bytes))
			l.metrics.Add(metrics.ReadBytes, metrics.Labels{}, float64(n))
			if bySendfile {
				l.metrics.Add(metrics.SendfileBytes, metrics.Labels{}, float64(n))
			}
			if err = cerr; err != nil {
				// What went out is out: report it, and let the read not
				// be tried again, which would send it twice.
				err = fmt.Errorf("log: writing segment %d: %d of %d bytes written: %w", s.BaseOffset(), n, sp.bytes, err)
				sp = span{bytes: int(n), first: -1}
			}
		}
		return sp, err
	})
}

// headerBufs hold the scratch buffers reads walk batch headers with: a
// few index intervals' worth, enough to reach the batch an index entry
// points near with one read call.
var headerBufs = sync.Pool{New: func() any {
	b := make([]byte, 16<<10)
	return &b
}}

// query is what a read asks of one segment.
type query struct {
	upper  int64 // exclusive upper bound on offsets
	budget int   // bytes
	minOne bool
	limit  int64  // the segment's size when the read began
	buf    []byte // scratch for walking batch headers
}

// span is what a read takes from one segment: whole batches of bytes
// bytes, from base offset first, ending before offset next. incomplete
// says the first batch did not fit the budget.
type span struct {
	bytes       int
	first, next int64
	incomplete  bool
}

// read finds the segment and batch where a read at offset starts and hands
// them to collect, holding a reference on the segment meanwhile. A read
// takes from one segment only; if offset lies in a gap at the end of a
// segment (offsets a follower's leader compacted away), it goes on to the
// next.
func (l *Log) read(offset int64, opts ReadOptions,
	collect func(s *segment.Segment, start segment.BatchPosition, q query) (span, error)) (ReadInfo, error) {
	for {
		gen := l.truncations.Load()
		info, err := l.readOnce(offset, opts, collect)
		if err == nil || l.unchangedSince(gen) || info.Bytes > 0 {
			return info, err
		}
		// A truncation moved the bytes under the read: what it saw may be
		// half old, half new. Read again, against the log as it is now.
	}
}

func (l *Log) readOnce(offset int64, opts ReadOptions,
	collect func(s *segment.Segment, start segment.BatchPosition, q query) (span, error)) (ReadInfo, error) {
	info := ReadInfo{FirstOffset: -1, NextOffset: offset,
		LogStartOffset: l.logStart.Load(), LogEndOffset: l.logEnd.Load()}
	if l.isClosed.Load() {
		return info, ErrClosed
	}
	if offset < info.LogStartOffset || offset > info.LogEndOffset {
		return info, &OffsetOutOfRangeError{Offset: offset, LogStart: info.LogStartOffset, LogEnd: info.LogEndOffset}
	}
	q := query{upper: info.LogEndOffset, budget: opts.MaxBytes, minOne: opts.MinOneBatch}
	if opts.MaxOffset > 0 {
		q.upper = min(q.upper, opts.MaxOffset)
	}
	if q.budget <= 0 {
		q.budget = DefaultReadBytes
	}
	if offset >= q.upper {
		return info, nil
	}
	list, i, err := l.acquireSegment(offset)
	if err != nil {
		return info, err
	}
	bufp := headerBufs.Get().(*[]byte)
	defer headerBufs.Put(bufp)
	q.buf = *bufp
	for {
		s := list.segs[i]
		q.limit = s.Size()
		start, found, err := s.Locate(offset, q.limit, q.buf)
		if err == nil && i+1 < len(list.segs) && s.NextOffset() > list.segs[i+1].BaseOffset() {
			// Locate verified the sealed segment, and with it learned
			// where its batches end: past the next segment's start.
			err = fmt.Errorf("log: %w: segment %d holds offsets up to %d, past the start of segment %d",
				ErrCorrupt, s.BaseOffset(), s.NextOffset()-1, list.segs[i+1].BaseOffset())
		}
		if err == nil && found && start.LastOffset >= info.LogEndOffset {
			// The first batch that reaches offset should hold or follow it
			// within the log, yet claims offsets past the log's end: its
			// base offset, which no CRC covers, or its last offset delta,
			// whose CRC is checked only when the batch is read, is
			// damaged. Only a log trusted unread after a clean shutdown
			// gets this far with it. (Were it let through, the read would
			// stop before it, as before a batch above the high watermark,
			// and a reader would take the log to end there.)
			err = fmt.Errorf("log: segment %d: %w: batch at position %d, where offset %d should be, claims offsets %d to %d, past the log end",
				s.BaseOffset(), ErrCorrupt, start.Position, offset, start.BaseOffset, start.LastOffset)
		}
		if err == nil && found {
			var sp span
			sp, err = collect(s, start, q)
			switch {
			case err != nil:
				info.Bytes = sp.bytes // written before the error
			case sp.bytes > 0:
				info.Bytes, info.FirstOffset, info.NextOffset = sp.bytes, sp.first, sp.next
			default:
				info.FirstBatchIncomplete = sp.incomplete
			}
		}
		s.Release()
		if err != nil || found || i+1 == len(list.segs) {
			return info, err
		}
		i++
		if !list.segs[i].Retain() {
			if list, i, err = l.acquireSegment(offset); err != nil {
				return info, err
			}
		}
	}
}
