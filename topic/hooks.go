package topic

import (
	"maps"
	"slices"
	"sync"
)

// hooks are the functions the packages built on a registry register to
// hear of its deletions and its closing, in order of registration.
type hooks struct {
	mu       sync.Mutex
	closed   bool // closing ran: no more hooks
	next     int
	onDelete map[int]func(topic string) error
	onClose  map[int]func() error
}

// OnDelete registers fn to be called by Delete with the name of the topic
// it deletes, once the topic's partitions are closed and before its files
// go. An error from fn fails Delete: the topic is gone from the registry
// already, and the next Open finishes deleting its files (and what is
// built on the registry must then forget it on its own, as a
// group.Coordinator does when it opens). Committed offsets use it to
// forget the topic's.
//
// A read-only registry deletes nothing, and does not follow deletions made
// by the registry that has the directory open: fn is registered all the
// same, so that what is built on the registry opens on either, and is
// never called.
//
// The returned function unregisters fn. On a closed registry it fails with
// ErrClosed.
func (r *Registry) OnDelete(fn func(topic string) error) (unregister func(), err error) {
	return r.hooks.add(func(h *hooks, id int) {
		if h.onDelete == nil {
			h.onDelete = make(map[int]func(string) error)
		}
		h.onDelete[id] = fn
	}, func(h *hooks, id int) { delete(h.onDelete, id) })
}

// OnClose registers fn to be called by Close before the topics' partitions
// close: producers deliver what they hold, committed offsets close. Hooks
// run newest first, each once; an error from fn is among Close's. The
// returned function unregisters fn, as a producer closed on its own does.
// Once Close has begun, OnClose fails with ErrClosed.
func (r *Registry) OnClose(fn func() error) (unregister func(), err error) {
	return r.hooks.add(func(h *hooks, id int) {
		if h.onClose == nil {
			h.onClose = make(map[int]func() error)
		}
		h.onClose[id] = fn
	}, func(h *hooks, id int) { delete(h.onClose, id) })
}

func (h *hooks) add(put func(*hooks, int), remove func(*hooks, int)) (func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	id := h.next
	h.next++
	put(h, id)
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		remove(h, id)
	}, nil
}

// deleted calls the OnDelete hooks, oldest first, and returns the first
// error.
func (h *hooks) deleted(topic string) error {
	h.mu.Lock()
	var fns []func(string) error
	for _, id := range slices.Sorted(maps.Keys(h.onDelete)) {
		fns = append(fns, h.onDelete[id])
	}
	h.mu.Unlock()
	for _, fn := range fns {
		if err := fn(topic); err != nil {
			return err
		}
	}
	return nil
}

// closing calls the OnClose hooks, newest first, and removes them.
func (h *hooks) closing() []error {
	h.mu.Lock()
	var fns []func() error
	ids := slices.Sorted(maps.Keys(h.onClose))
	for _, id := range slices.Backward(ids) {
		fns = append(fns, h.onClose[id])
	}
	h.onClose = nil
	h.closed = true
	h.mu.Unlock()
	var errs []error
	for _, fn := range fns {
		errs = append(errs, fn())
	}
	return errs
}
