package vfs

import (
	"bytes"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
)

// CrashOptions controls [MemFS.CrashClone].
type CrashOptions struct {
	// Rand, if not nil, makes the crash keep a random part of what was
	// not yet synced, as real disks and filesystems often do. It is only
	// used while CrashClone runs, so a Rand seeded the same way on the
	// same MemFS gives the same clone. If nil, the crash keeps exactly the
	// synced state.
	Rand *rand.Rand
}

// CrashClone returns a new, independent MemFS holding what would survive if
// the machine lost power now. The receiver is not changed, its open files
// stay usable, and the clone has no open files and no locks held.
//
// MemFS keeps two states of everything: the current one, which all reads
// see, and the durable one, which a crash keeps:
//
//   - A file's durable contents (and size) are its contents as of its last
//     [File.Sync]; a file never synced is durably empty. Writes and
//     truncations after the last Sync are not durable.
//   - A directory's durable entries (name to file or subdirectory) are its
//     entries as of its last [FS.SyncDir]. Creating a file or directory
//     (Create, OpenReadWrite, Lock, MkdirAll) and removing or renaming one
//     changes the entries of its parent directory, durably only once that
//     directory is synced. Syncing a directory does not sync the files
//     in it, nor its own entry in its parent: after MkdirAll, sync each
//     parent of a new directory too. The root directory always survives.
//   - Durability belongs to the file, not to its name: a synced file
//     renamed keeps its durable contents under the new name once the new
//     name's directory is synced. A rename between two directories is
//     durable in each only once each is synced; if one is synced and not
//     the other, the crash shows the file under both names (new directory
//     synced) or under neither (old directory synced). Sync the new
//     directory first.
//
// With opts.Rand nil, the clone is exactly the durable state: starting at
// the root, each directory holds its durable entries, and each file
// reached that way holds its durable contents.
//
// With opts.Rand set, the crash may also keep some changes that were not
// synced, chosen with opts.Rand:
//
//   - Directory changes not yet synced survive as a prefix of the order in
//     which they were made, across all directories, like an ordered
//     metadata journal: one random point in that order is chosen (it may
//     be before the first change or after the last one) and every unsynced
//     entry change made before it survives, none after it. So each rename
//     is atomic (the file is found under the old name or the new one,
//     never both or neither, when neither directory was synced), and if a
//     later change survives so do all earlier ones.
//   - A file whose current contents extend its durable contents (the
//     durable bytes followed by more, as appends leave it) keeps its
//     durable contents plus a random-length prefix of the extra bytes:
//     sometimes none, sometimes all, often something in between. This is
//     a torn write at the end of the file.
//   - A file whose contents changed any other way since its last Sync
//     (bytes overwritten, or the file truncated) has, at random, either
//     its current contents whole or its durable contents.
//
// Everything in the clone is durable: cloning the clone, with or without a
// Rand, gives the same files again.
func (m *MemFS) CrashClone(opts CrashOptions) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := crashCopy{rng: opts.Rand, copies: make(map[*memNode]*memNode)}
	if c.rng != nil {
		seqs := m.pendingSeqs()
		if k := c.rng.IntN(len(seqs) + 1); k < len(seqs) {
			c.cut = seqs[k]
		} else {
			c.cut = math.MaxUint64
		}
	}
	return &MemFS{root: c.copy(m.root), locks: make(map[string]bool)}
}

// pendingSeqs returns, sorted, the seq of every directory change not yet
// synced. m.mu must be held.
func (m *MemFS) pendingSeqs() []uint64 {
	var seqs []uint64
	seen := make(map[*memNode]bool)
	var visit func(d *memNode)
	visit = func(d *memNode) {
		if !d.isDir || seen[d] {
			return
		}
		seen[d] = true
		for _, ch := range d.pending {
			seqs = append(seqs, ch.seq)
			if ch.node != nil {
				visit(ch.node)
			}
		}
		for _, n := range d.children {
			visit(n)
		}
		for _, n := range d.synced {
			visit(n)
		}
	}
	visit(m.root)
	slices.Sort(seqs)
	return slices.Compact(seqs)
}

// crashCopy builds the clone made by CrashClone.
type crashCopy struct {
	rng *rand.Rand
	// cut is the seq of the first unsynced directory change that does
	// not survive.
	cut    uint64
	copies map[*memNode]*memNode
}

// copy returns the surviving copy of n, or nil if n is a directory already
// copied: a directory has one parent, even if unsynced renames between
// directories left it durably in two.
func (c *crashCopy) copy(n *memNode) *memNode {
	if cn, ok := c.copies[n]; ok {
		if n.isDir {
			return nil
		}
		return cn
	}
	if !n.isDir {
		n.mu.RLock()
		data := c.contents(n)
		cn := &memNode{data: data, durable: data, sharedLen: len(data), modTime: n.modTime}
		n.mu.RUnlock()
		c.copies[n] = cn
		return cn
	}
	cn := newDirNode(n.perm)
	cn.dirTime = n.dirTime
	c.copies[n] = cn
	entries := maps.Clone(n.synced)
	for _, ch := range n.pending {
		if ch.seq >= c.cut {
			break
		}
		if ch.node == nil {
			delete(entries, ch.name)
		} else {
			entries[ch.name] = ch.node
		}
	}
	// Visit names in order so that a given Rand gives a given clone.
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		if child := c.copy(entries[name]); child != nil {
			cn.children[name] = child
		}
	}
	cn.synced = maps.Clone(cn.children)
	return cn
}

// contents returns the contents file n keeps in the crash. The result is
// never modified in place later, so the clone may share it. n.mu must be
// held.
func (c *crashCopy) contents(n *memNode) []byte {
	cur, dur := n.data, n.durable
	if c.rng == nil || bytes.Equal(cur, dur) {
		return dur
	}
	// While data's array is shared, it is durable's, and they agree on
	// durable's bytes.
	if len(cur) > len(dur) && (n.sharedLen > 0 || bytes.HasPrefix(cur, dur)) {
		extra := len(cur) - len(dur)
		keep := 0
		switch c.rng.IntN(4) {
		case 0:
			// Nothing of the tail reached the disk.
		case 1:
			keep = extra
		default:
			keep = c.rng.IntN(extra + 1)
		}
		if keep == 0 {
			return dur
		}
		return bytes.Clone(cur[:len(dur)+keep])
	}
	if c.rng.IntN(2) == 0 {
		return dur
	}
	return bytes.Clone(cur)
}
