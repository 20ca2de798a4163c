package vfs

import (
	"io/fs"
	"os"
	"sync"
	"time"
)

// memNode is a file or a directory. A directory's fields are guarded by
// MemFS.mu; a file's by its own mu, so that open files are used without
// the filesystem lock.
type memNode struct {
	isDir bool

	// Directory state, guarded by MemFS.mu.
	perm     fs.FileMode
	dirTime  time.Time
	children map[string]*memNode // current entries
	synced   map[string]*memNode // entries as of the last SyncDir
	pending  []dirChange         // changes since the last SyncDir, oldest first

	// File state, guarded by mu.
	mu      sync.RWMutex
	data    []byte // current contents
	durable []byte // contents as of the last Sync; never modified in place
	// sharedLen is how much of data's backing array other slices see:
	// durable, and the durable contents of earlier Syncs that crash
	// clones took, which may be longer than durable after a truncation.
	// data must be copied before any of its first sharedLen bytes is
	// changed. Zero when data's array is its own.
	sharedLen int
	modTime   time.Time
}

// dirChange is one change of a directory entry: name now refers to node,
// or is removed if node is nil. Changes made by a single operation (both
// sides of a rename) share a seq.
type dirChange struct {
	seq  uint64
	name string
	node *memNode
}

func newDirNode(perm fs.FileMode) *memNode {
	return &memNode{
		isDir:    true,
		perm:     perm.Perm(),
		dirTime:  time.Now(),
		children: make(map[string]*memNode),
		synced:   make(map[string]*memNode),
	}
}

// newFileNode returns an empty file.
func newFileNode() *memNode {
	return &memNode{modTime: time.Now()}
}

// setEntry points name in directory d at n, or removes it if n is nil, and
// records the change under seq. MemFS.mu must be held.
func (d *memNode) setEntry(seq uint64, name string, n *memNode) {
	if n == nil {
		delete(d.children, name)
	} else {
		d.children[name] = n
	}
	d.pending = append(d.pending, dirChange{seq: seq, name: name, node: n})
	d.dirTime = time.Now()
}

// truncate sets the size of file n. n.mu must be held for writing.
func (n *memNode) truncate(size int64) {
	if size > int64(len(n.data)) {
		n.resize(size)
	} else {
		n.data = n.data[:size]
	}
	n.modTime = time.Now()
}

// resize grows the contents of file n to size bytes, the new ones zero.
// n.mu must be held for writing.
func (n *memNode) resize(size int64) {
	old := len(n.data)
	if size <= int64(cap(n.data)) {
		// The bytes between the length and the capacity may hold
		// stale contents, or the synced contents after a truncation.
		n.unshare(int64(old))
		n.data = n.data[:size]
		clear(n.data[old:])
		return
	}
	grown := make([]byte, size, max(size, 2*int64(cap(n.data))))
	copy(grown, n.data)
	n.data = grown
	n.sharedLen = 0
}

// unshare gives n.data a backing array of its own if bytes from off on are
// about to change and other slices see some of them. n.mu must be held
// for writing.
func (n *memNode) unshare(off int64) {
	if off < int64(n.sharedLen) {
		owned := make([]byte, len(n.data), cap(n.data))
		copy(owned, n.data)
		n.data = owned
		n.sharedLen = 0
	}
}

// stat describes n under the given base name. For a directory MemFS.mu
// must be held; for a file n.mu.
func (n *memNode) stat(name string) os.FileInfo {
	if n.isDir {
		return &memInfo{name: name, mode: fs.ModeDir | n.perm, modTime: n.dirTime}
	}
	return &memInfo{name: name, size: int64(len(n.data)), mode: filePerm, modTime: n.modTime}
}

// memInfo implements fs.FileInfo for MemFS.
type memInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func (i *memInfo) Name() string       { return i.name }
func (i *memInfo) Size() int64        { return i.size }
func (i *memInfo) Mode() fs.FileMode  { return i.mode }
func (i *memInfo) ModTime() time.Time { return i.modTime }
func (i *memInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *memInfo) Sys() any           { return nil }
