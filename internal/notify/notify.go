package notify

import "sync"

// Notifier wakes goroutines waiting for a change. A waiter takes the
// current channel and sleeps on it; Broadcast closes the channel, waking
// every waiter at once, and the next waiter makes a new one. No channel
// exists while nobody waits, so a Broadcast with no waiters costs one
// uncontended mutex. The zero value is ready to use.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// Wait returns a channel that is closed at the next Broadcast. A waiter
// takes the channel before it checks the condition it waits for, so that
// a change in between closes a channel it already holds.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// Broadcast wakes every waiter.
func (n *Notifier) Broadcast() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}
