package log

import (
	"slices"
	"sort"
	"sync"
)

// Values an OffsetsForLeaderEpoch answer uses when the cache knows nothing
// about the epoch asked for.
const (
	epochUndefined       int32 = -1
	epochOffsetUndefined int64 = -1
)

// EpochEntry is one entry of a log's leader-epoch history: leader epoch
// Epoch began at offset StartOffset, the base offset of the first batch
// stamped with it (or the log end, when the epoch was set before any of
// its records came).
type EpochEntry struct {
	Epoch       int32
	StartOffset int64
}

// epochCache is the leader-epoch history of one partition's log: the epochs
// seen in the log, oldest first, each with the offset at which it began.
// Both the epochs and the start offsets strictly increase along the list.
// The methods keep that true whatever they are given.
//
// The zero value is an empty cache ready for use. An epochCache is safe for
// use by many goroutines.
type epochCache struct {
	mu   sync.RWMutex
	list []EpochEntry // strictly increasing in epoch and in startOffset
}

// newEpochCache returns a cache holding entries, added one at a time with
// assign, so that a list that is not strictly increasing ends up as the
// history assign would have built from it.
func newEpochCache(entries []EpochEntry) *epochCache {
	c := &epochCache{}
	for _, e := range entries {
		c.assign(e.Epoch, e.StartOffset)
	}
	return c
}

// assign records that epoch begins at startOffset and reports whether the
// cache changed.
//
// If epoch is the latest epoch and startOffset is at or after its start,
// nothing changes: later batches of the current epoch do not move its
// start. Otherwise every entry at the end of the list whose epoch is at or
// above epoch, or whose start is at or after startOffset, is dropped, and
// (epoch, startOffset) becomes the latest entry. So:
//
//   - a newer epoch at a later offset is simply appended;
//   - the latest epoch at an earlier offset moves that epoch's start back;
//   - a newer epoch at an earlier offset drops the entries starting at or
//     after that offset, which the log has lost;
//   - an older epoch at a later offset drops the entries with epochs at or
//     above it.
//
// Negative epochs and offsets (batches written before epochs existed carry
// epoch -1) are ignored and leave the cache unchanged.
func (c *epochCache) assign(epoch int32, startOffset int64) (changed bool) {
	if epoch < 0 || startOffset < 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.list)
	if n > 0 && c.list[n-1].Epoch == epoch && startOffset >= c.list[n-1].StartOffset {
		return false
	}
	for n > 0 && (c.list[n-1].Epoch >= epoch || c.list[n-1].StartOffset >= startOffset) {
		n--
	}
	c.list = append(c.list[:n], EpochEntry{Epoch: epoch, StartOffset: startOffset})
	return true
}

// latest returns the newest entry; ok is false if the cache is empty.
func (c *epochCache) latest() (epoch int32, startOffset int64, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.list) == 0 {
		return 0, 0, false
	}
	e := c.list[len(c.list)-1]
	return e.Epoch, e.StartOffset, true
}

// earliest returns the oldest entry; ok is false if the cache is empty.
func (c *epochCache) earliest() (epoch int32, startOffset int64, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.list) == 0 {
		return 0, 0, false
	}
	e := c.list[0]
	return e.Epoch, e.StartOffset, true
}

// epochAt returns the epoch of the newest entry that begins at or before
// offset; ok is false if there is none.
func (c *epochCache) epochAt(offset int64) (epoch int32, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	i := sort.Search(len(c.list), func(i int) bool { return c.list[i].StartOffset > offset })
	if i == 0 {
		return 0, false
	}
	return c.list[i-1].Epoch, true
}

// entries returns a copy of the entries, oldest first.
func (c *epochCache) entries() []EpochEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.list)
}

// len returns the number of entries.
func (c *epochCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.list)
}

// clear removes every entry.
func (c *epochCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = nil
}

// truncateFromEnd drops the entries that start at or after endOffset, for a
// log truncated so that endOffset is its new end. A negative endOffset
// changes nothing. It reports whether any entry was dropped.
func (c *epochCache) truncateFromEnd(endOffset int64) (changed bool) {
	if endOffset < 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.list)
	for n > 0 && c.list[n-1].StartOffset >= endOffset {
		n--
	}
	changed = n < len(c.list)
	c.list = c.list[:n]
	return changed
}

// truncateFromStart makes the history begin at startOffset, the log's new
// start offset. The entries that start at or before startOffset are
// dropped, but the epoch of the last of them is still the epoch of the
// record at startOffset, so it is put back as the first entry, starting at
// startOffset. An entry starting exactly at startOffset thus stays as it
// is, and the ones before it go.
//
// It reports whether the entries differ from before; dropping and putting
// back an entry that already started at startOffset, with nothing before
// it, is no change.
func (c *epochCache) truncateFromStart(startOffset int64) (changed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := 0
	for k < len(c.list) && c.list[k].StartOffset <= startOffset {
		k++
	}
	if k == 0 {
		return false
	}
	changed = k > 1 || c.list[0].StartOffset != startOffset
	c.list[k-1].StartOffset = startOffset
	c.list = slices.Delete(c.list, 0, k-1)
	return changed
}

// endOffsetFor answers an OffsetsForLeaderEpoch request for requested, on a
// log whose end offset is logEndOffset. It returns the largest epoch at or
// below requested and the offset where that epoch ended, which is the start
// of the next epoch:
//
//   - requested is -1 (undefined), or the cache is empty: (-1, -1);
//   - requested is the latest Epoch: (requested, logEndOffset), as that
//     epoch has not ended;
//   - requested is above every epoch in the cache: (-1, -1);
//   - requested is below every epoch in the cache (the log start has moved
//     past its records, or it is a negative epoch other than -1):
//     (requested, start of the first entry);
//   - otherwise: (the largest epoch at or below requested, start of the
//     first epoch above requested).
func (c *epochCache) endOffsetFor(requested int32, logEndOffset int64) (epoch int32, endOffset int64) {
	if requested == epochUndefined {
		return epochUndefined, epochOffsetUndefined
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := len(c.list)
	if n > 0 && c.list[n-1].Epoch == requested {
		return requested, logEndOffset
	}
	// above is the first entry with an epoch above requested.
	above := sort.Search(n, func(i int) bool { return c.list[i].Epoch > requested })
	switch {
	case above == n:
		return epochUndefined, epochOffsetUndefined
	case above == 0:
		return requested, c.list[0].StartOffset
	default:
		return c.list[above-1].Epoch, c.list[above].StartOffset
	}
}
