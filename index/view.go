package index

import "sync/atomic"

// view publishes an index's entries to readers that take no lock.
//
// The entries live in a run: a backing array with its own count of the
// slots in use. Readers load the current run, then its count, and read
// that many slots. The writer appends by writing the next slot and then
// storing the higher count, so no reader reads a slot while it is being
// written, and the atomic store orders the write before any read that the
// count allows. A slot of a run, once counted, is never written again.
//
// A run is replaced, never changed in any other way: when it is full (by
// a larger one holding a copy of its entries) and when entries are dropped
// (by a new one holding a copy of the entries kept). Dropping in place
// would let the next append overwrite a slot that a reader of the old
// count still reads. A reader that loaded the old run keeps reading its
// old, unchanged entries for as long as it holds it. Truncation is rare,
// and an append allocates only when it outgrows its run, which then
// doubles.
type view[E any] struct {
	p atomic.Pointer[run[E]]
}

type run[E any] struct {
	slots []E // len(slots) is the capacity
	n     atomic.Int64
}

// newRun returns a run of capacity c holding a copy of es.
func newRun[E any](es []E, c int) *run[E] {
	slots := make([]E, max(c, len(es)))
	copy(slots, es)
	return adoptRun(slots, len(es))
}

// adoptRun returns a run whose first n slots of slots are in use; the
// run owns slots from then on.
func adoptRun[E any](slots []E, n int) *run[E] {
	r := &run[E]{slots: slots}
	r.n.Store(int64(n))
	return r
}

// load returns the entries as last published. The caller must not write
// to the slice.
func (v *view[E]) load() []E {
	r := v.p.Load()
	if r == nil {
		return nil
	}
	n := r.n.Load()
	return r.slots[:n:n]
}

// publish makes es, which the view owns from then on, the entries readers
// see. Only the writer calls it.
func (v *view[E]) publish(es []E) { v.p.Store(adoptRun(es, len(es))) }

// minGrowth is the capacity of the first run an append makes.
const minGrowth = 64

// add appends e, growing the run up to twice its size but not past limit
// if it is full. Only the writer calls it.
func (v *view[E]) add(e E, limit int) {
	r := v.p.Load()
	if r == nil {
		r = newRun[E](nil, 0)
	}
	n := int(r.n.Load())
	if n < len(r.slots) {
		r.slots[n] = e
		r.n.Store(int64(n + 1))
		return
	}
	c := min(max(2*n, minGrowth), limit)
	r = newRun(r.slots[:n], max(c, n+1))
	r.slots[n] = e
	r.n.Store(int64(n + 1))
	v.p.Store(r)
}

// keep drops every entry from the k-th on, copying the first k to a new
// run. Only the writer calls it.
func (v *view[E]) keep(k int) {
	es := v.load()
	if k >= len(es) {
		return
	}
	v.p.Store(newRun(es[:k], k))
}
