package partition

import (
	"slices"
	"sync"
	"sync/atomic"
)

// AwaitCommit calls done once the high watermark reaches end, that is once
// every record below end is committed, with a nil error; or with the error
// given to FailCommits, or ErrClosed after Close, if that comes first. It
// is how a leader acknowledges produces with acks=all without a goroutine
// for each: the replication layer appends, then waits for its followers
// to move the high watermark past the batch.
//
// Callbacks run one at a time, outside every lock of the partition, on the
// goroutine that moved the high watermark or failed the commits, so they
// must not block. Those waiting together run in the order of their ends
// (and of their calls, for equal ends); callbacks added in the order of
// their ends, as a writer that appends and then waits adds them, run in
// that order. A callback may call AwaitCommit or SetHighWatermark; those
// calls' callbacks then run after it returns. On an unreplicated partition
// the records are committed once appended, so done is called with nil as
// soon as the high watermark has reached end.
func (p *Partition) AwaitCommit(end int64, done func(error)) {
	p.commits.add(end, done, p.closedError)
	p.commits.complete(p.HighWatermark())
}

// FailCommits calls every callback still waiting in AwaitCommit with err,
// in order; the callbacks added afterwards wait as before. A leader that
// loses its leadership fails its produces so (with an error that says the
// outcome is unknown: the records may yet be committed by the next
// leader, or truncated).
func (p *Partition) FailCommits(err error) { p.commits.fail(err, false) }

// closedError is what AwaitCommit reports after Close.
func (p *Partition) closedError() error { return p.wrap("commit", ErrClosed) }

// commitQueue holds the AwaitCommit callbacks, by end offset, and delivers
// them in that order from one goroutine at a time: whoever finds no
// delivery under way delivers until nothing is ready, including what other
// goroutines (or the callbacks themselves) made ready meanwhile.
type commitQueue struct {
	mu      sync.Mutex
	waiting []commitWaiter // sorted by end, stable
	ready   []readyCommit  // taken from waiting, not yet called
	hw      int64          // the highest high watermark seen
	closed  error          // set by a final fail: later waiters fail at once
	// delivering is set while one goroutine runs callbacks.
	delivering bool
	// count is len(waiting), for appends to see without the lock that no
	// callback waits.
	count atomic.Int64
}

// any reports whether a callback may be waiting.
func (q *commitQueue) any() bool { return q.count.Load() > 0 }

// commitWaiter is one AwaitCommit call.
type commitWaiter struct {
	end  int64
	done func(error)
}

// readyCommit is a callback due, with its outcome.
type readyCommit struct {
	done func(error)
	err  error
}

// add queues done for end. After a final fail, it is due at once with the
// error closedErr gives.
func (q *commitQueue) add(end int64, done func(error), closedErr func() error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed != nil {
		q.ready = append(q.ready, readyCommit{done: done, err: closedErr()})
		return
	}
	i, _ := slices.BinarySearchFunc(q.waiting, end, func(w commitWaiter, end int64) int {
		if w.end <= end {
			return -1 // after every waiter of the same end: calls keep their order
		}
		return 1
	})
	q.waiting = slices.Insert(q.waiting, i, commitWaiter{end: end, done: done})
	q.count.Store(int64(len(q.waiting)))
}

// complete makes due every callback whose end hw reaches, then delivers.
func (q *commitQueue) complete(hw int64) {
	q.mu.Lock()
	q.hw = max(q.hw, hw)
	n := 0
	for n < len(q.waiting) && q.waiting[n].end <= q.hw {
		q.ready = append(q.ready, readyCommit{done: q.waiting[n].done})
		n++
	}
	q.waiting = slices.Delete(q.waiting, 0, n)
	q.count.Store(int64(len(q.waiting)))
	q.deliverLocked()
}

// fail makes every waiting callback due with err, then delivers. A final
// fail (Close) also fails every later add.
func (q *commitQueue) fail(err error, final bool) {
	q.mu.Lock()
	for _, w := range q.waiting {
		q.ready = append(q.ready, readyCommit{done: w.done, err: err})
	}
	clear(q.waiting)
	q.waiting = q.waiting[:0]
	q.count.Store(0)
	if final && q.closed == nil {
		q.closed = err
	}
	q.deliverLocked()
}

// deliverLocked runs the due callbacks, outside the lock, unless another
// goroutine is already doing so; it is called with q.mu held and returns
// with it released.
func (q *commitQueue) deliverLocked() {
	if q.delivering {
		q.mu.Unlock()
		return
	}
	q.delivering = true
	for len(q.ready) > 0 {
		batch := q.ready
		q.ready = nil
		q.mu.Unlock()
		for _, r := range batch {
			r.done(r.err)
		}
		q.mu.Lock()
	}
	q.delivering = false
	q.mu.Unlock()
}
