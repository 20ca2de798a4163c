package log

import (
	"context"
	"sync"
)

// notifier wakes goroutines waiting for the log to change. A waiter takes
// the current channel and sleeps on it; a change closes the channel, waking
// every waiter at once, and the next waiter makes a new one. No channel
// exists while nobody waits, so appends pay only for an uncontended mutex.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel that is closed at the next change.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// broadcast wakes every waiter.
func (n *notifier) broadcast() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

// Wait blocks until the log holds a record at offset or after it (its end
// offset passes offset), and returns nil. Offset is normally the log end:
// a reader that has read everything waits for more. Wait returns early
// with ErrClosed when the log is closed, with the context's error when ctx
// ends, and with an *OffsetOutOfRangeError when offset is past the log
// end, at once or after a truncation while it waits. Thousands of goroutines may wait at once; they cost no polling
// and are woken together by the append that satisfies them.
func (l *Log) Wait(ctx context.Context, offset int64) error {
	for {
		// Take the channel before looking at the log end, so that an
		// append in between closes a channel this waiter holds.
		changed := l.changes.wait()
		end := l.logEnd.Load()
		switch {
		case end > offset:
			return nil
		case l.isClosed.Load():
			return ErrClosed
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
