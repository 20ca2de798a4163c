package producer

import (
	"context"
	"sync/atomic"

	"github.com/commitlog-go/commitlog/internal/notify"
)

// memoryLimit bounds the bytes a producer holds for records not yet
// written. Taking and giving back are atomic additions; only callers that
// must wait touch the notifier.
type memoryLimit struct {
	limit   int64
	used    atomic.Int64
	waiters atomic.Int32
	freed   notify.Notifier
}

// acquire takes n bytes, waiting for room until ctx ends unless fail is
// set, in which case a full buffer gives ErrBufferFull at once. A request
// larger than the whole limit is let through when nothing else is held, so
// that it cannot wait forever.
func (m *memoryLimit) acquire(ctx context.Context, n int64, fail bool) error {
	for {
		used := m.used.Add(n)
		if used <= m.limit || used == n {
			return nil
		}
		m.release(n)
		if fail {
			return ErrBufferFull
		}
		m.waiters.Add(1)
		freed := m.freed.Wait()
		// Look again after taking the channel: a release in between
		// closed a channel this caller holds, or left room now.
		if m.used.Load()+n > m.limit && m.used.Load() != 0 {
			select {
			case <-freed:
			case <-ctx.Done():
				m.waiters.Add(-1)
				return ctx.Err()
			}
		}
		m.waiters.Add(-1)
	}
}

// release gives back n bytes and wakes callers waiting for room.
func (m *memoryLimit) release(n int64) {
	m.used.Add(-n)
	if m.waiters.Load() > 0 {
		m.freed.Broadcast()
	}
}
