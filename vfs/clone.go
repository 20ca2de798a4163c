package vfs

import (
	"bytes"
	"maps"
)

// Clone returns a new, independent MemFS holding what would survive if the
// process were killed now and the machine kept running: every write is
// there, synced or not, since the page cache outlives the process. What
// is durable stays tracked as it was, so that a CrashClone of the clone
// later gives what a power cut would have given the original: a kill -9
// followed by a power loss. The receiver is not changed, its open files
// stay usable, and the clone has no open files and no locks held (the
// kernel releases a killed process's locks).
func (m *MemFS) Clone() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := processCopy{copies: make(map[*memNode]*memNode)}
	return &MemFS{root: c.copy(m.root), seq: m.seq, locks: make(map[string]bool)}
}

// processCopy builds the clone made by Clone: every node reachable from
// the root through current, synced or pending entries, each copied once.
type processCopy struct {
	copies map[*memNode]*memNode
}

// copy returns the copy of n, making it the first time. MemFS.mu must be
// held.
func (c *processCopy) copy(n *memNode) *memNode {
	if n == nil {
		return nil
	}
	if cn, ok := c.copies[n]; ok {
		return cn
	}
	if !n.isDir {
		n.mu.RLock()
		defer n.mu.RUnlock()
		// durable is never modified in place, so the copy may share it;
		// data gets an array of its own.
		cn := &memNode{data: bytes.Clone(n.data), durable: n.durable, modTime: n.modTime}
		if cn.data == nil && n.data != nil {
			cn.data = []byte{}
		}
		c.copies[n] = cn
		return cn
	}
	cn := newDirNode(n.perm)
	cn.dirTime = n.dirTime
	c.copies[n] = cn
	cn.children = c.copyEntries(n.children)
	cn.synced = c.copyEntries(n.synced)
	cn.pending = make([]dirChange, len(n.pending))
	for i, ch := range n.pending {
		cn.pending[i] = dirChange{seq: ch.seq, name: ch.name, node: c.copy(ch.node)}
	}
	return cn
}

// copyEntries copies a directory's map of entries.
func (c *processCopy) copyEntries(entries map[string]*memNode) map[string]*memNode {
	out := make(map[string]*memNode, len(entries))
	for name, n := range maps.All(entries) {
		out[name] = c.copy(n)
	}
	return out
}
