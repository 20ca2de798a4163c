package log

import (
	"context"
)

// Wait blocks until the log holds a record at offset or after it (its end
// offset passes offset), and returns nil. Offset is normally the log end:
// a reader that has read everything waits for more. Wait returns early
// with ErrClosed when the log is closed, with the context's error when ctx
// ends, and with an *OffsetOutOfRangeError when offset is past the log
// end, at once or after a truncation while it waits. Thousands of
// goroutines may wait at once; they cost no polling and are woken together
// by the append that satisfies them.
func (l *Log) Wait(ctx context.Context, offset int64) error {
	for {
		// Take the channel before looking at the log end, so that an
		// append in between closes a channel this waiter holds.
		changed := l.changes.Wait()
		end := l.logEnd.Load()
		switch {
		case l.isClosed.Load():
			return ErrClosed
		case end > offset:
			return nil
		case offset > end:
			// Past the end: never valid, or truncated away while the
			// caller waited.
			return &OffsetOutOfRangeError{Offset: offset, LogStart: l.logStart.Load(), LogEnd: end}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Wait blocks until the reader has a record to return (see [Log.Wait]).
func (r *Reader) Wait(ctx context.Context) error { return r.log.Wait(ctx, r.next) }
