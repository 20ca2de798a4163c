package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// MemFS is an FS held in memory, for tests. It is safe for concurrent use.
// Create one with [NewMem].
//
// MemFS behaves like a POSIX filesystem with a single root: names are
// cleaned with [filepath.Clean], a leading separator (and on Windows a
// volume name) is optional, so "db/a.log" and "/db/a.log" are the same
// file, and a file can only be created in a directory that exists. Its
// errors are *[fs.PathError] values (*[os.LinkError] for Rename), as the
// os package returns, wrapping [fs.ErrNotExist], [fs.ErrExist],
// [fs.ErrInvalid], [fs.ErrClosed] or a [syscall.Errno] such as ENOTDIR,
// EISDIR, ENOTEMPTY and EBADF, so code can test them with [errors.Is] in
// the same way on both FSes. Open refuses directories (EISDIR).
//
// MemFS has no symbolic links: every name is a file or a directory, so the
// [FS] contract on links holds trivially and its methods never return an
// error wrapping [ErrSymlink]. Tests of link handling need [Default] and a
// real directory.
//
// MemFS also records what has been made durable, so that [MemFS.CrashClone]
// can show what a power cut would leave behind. See CrashClone for the
// model.
type MemFS struct {
	mu   sync.Mutex
	root *memNode
	// seq numbers the changes to directory entries, in the order they
	// are made, for CrashClone.
	seq   uint64
	locks map[string]bool // cleaned paths of the files locked
}

var _ FS = (*MemFS)(nil)

// NewMem returns an empty MemFS holding only its root directory.
func NewMem() *MemFS {
	return &MemFS{root: newDirNode(0o755), locks: make(map[string]bool)}
}

// cleanPath returns name cleaned, rooted, and without a volume name.
func cleanPath(name string) string {
	name = name[len(filepath.VolumeName(name)):]
	return filepath.Clean(string(filepath.Separator) + name)
}

// splitPath returns the components of name below the root.
func splitPath(name string) []string {
	p := cleanPath(name)
	if len(p) == 1 {
		return nil
	}
	return strings.Split(p[1:], string(filepath.Separator))
}

// walk returns the node at the given components. m.mu must be held.
func (m *MemFS) walk(parts []string) (*memNode, error) {
	n := m.root
	for _, part := range parts {
		if !n.isDir {
			return nil, syscall.ENOTDIR
		}
		next, ok := n.children[part]
		if !ok {
			return nil, fs.ErrNotExist
		}
		n = next
	}
	return n, nil
}

// lookup returns the node named name. m.mu must be held.
func (m *MemFS) lookup(op, name string) (*memNode, error) {
	n, err := m.walk(splitPath(name))
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return n, nil
}

// parent returns the directory that holds name, and name's last component.
// For the root it returns a nil directory. m.mu must be held.
func (m *MemFS) parent(op, name string) (*memNode, string, error) {
	parts := splitPath(name)
	if len(parts) == 0 {
		return nil, "", nil
	}
	d, err := m.walk(parts[:len(parts)-1])
	if err == nil && !d.isDir {
		err = syscall.ENOTDIR
	}
	if err != nil {
		return nil, "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	return d, parts[len(parts)-1], nil
}

// Create implements [FS.Create].
func (m *MemFS) Create(name string) (File, error) {
	return m.openWritable(name, true)
}

// Open implements [FS.Open].
func (m *MemFS) Open(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if n.isDir {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
	}
	return &memFile{node: n, name: name, readOnly: true}, nil
}

// OpenReadWrite implements [FS.OpenReadWrite].
func (m *MemFS) OpenReadWrite(name string) (File, error) {
	return m.openWritable(name, false)
}

// openWritable opens name for reading and writing, creating it if needed, and
// emptying it if truncate is set.
func (m *MemFS) openWritable(name string, truncate bool) (*memFile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.openNode(name, truncate)
	if err != nil {
		return nil, err
	}
	return &memFile{node: n, name: name}, nil
}

// openNode finds or creates the file node for a writable open. m.mu must
// be held.
func (m *MemFS) openNode(name string, truncate bool) (*memNode, error) {
	d, base, err := m.parent("open", name)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
	}
	n, ok := d.children[base]
	switch {
	case !ok:
		n = newFileNode()
		m.seq++
		d.setEntry(m.seq, base, n)
	case n.isDir:
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EISDIR}
	case truncate:
		n.mu.Lock()
		n.truncate(0)
		n.mu.Unlock()
	}
	return n, nil
}

// Remove implements [FS.Remove].
func (m *MemFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, base, err := m.parent("remove", name)
	if err != nil {
		return err
	}
	if d == nil {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrInvalid}
	}
	n, ok := d.children[base]
	if !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	if n.isDir && len(n.children) > 0 {
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.ENOTEMPTY}
	}
	m.seq++
	d.setEntry(m.seq, base, nil)
	return nil
}

// RemoveAll implements [FS.RemoveAll]. It removes the entries below name
// one by one, deepest first, as a real filesystem must.
func (m *MemFS) RemoveAll(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, base, err := m.parent("unlinkat", name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if d == nil {
		return &fs.PathError{Op: "unlinkat", Path: name, Err: fs.ErrInvalid}
	}
	n, ok := d.children[base]
	if !ok {
		return nil
	}
	m.removeTree(n)
	m.seq++
	d.setEntry(m.seq, base, nil)
	return nil
}

// removeTree empties directory n, recursively. m.mu must be held.
func (m *MemFS) removeTree(n *memNode) {
	if !n.isDir {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(n.children)) {
		m.removeTree(n.children[name])
		m.seq++
		n.setEntry(m.seq, name, nil)
	}
}

// Rename implements [FS.Rename]. As with os.Rename on Unix, a file may
// replace a file, a directory may replace nothing but itself, and both
// sides of the rename change in a single step, also for CrashClone.
func (m *MemFS) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	linkErr := func(err error) error {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	oldParts, newParts := splitPath(oldname), splitPath(newname)
	if len(oldParts) == 0 || len(newParts) == 0 {
		return linkErr(fs.ErrInvalid)
	}
	od, err := m.walk(oldParts[:len(oldParts)-1])
	if err != nil {
		return linkErr(err)
	}
	if !od.isDir {
		return linkErr(syscall.ENOTDIR)
	}
	oldBase := oldParts[len(oldParts)-1]
	n, ok := od.children[oldBase]
	if !ok {
		return linkErr(fs.ErrNotExist)
	}
	nd, err := m.walk(newParts[:len(newParts)-1])
	if err != nil {
		return linkErr(err)
	}
	if !nd.isDir {
		return linkErr(syscall.ENOTDIR)
	}
	newBase := newParts[len(newParts)-1]
	target, exists := nd.children[newBase]
	if exists && target == n {
		return nil
	}
	if exists && target.isDir {
		return linkErr(fs.ErrExist)
	}
	if exists && n.isDir {
		return linkErr(syscall.ENOTDIR)
	}
	if n.isDir && len(newParts) > len(oldParts) && slices.Equal(newParts[:len(oldParts)], oldParts) {
		// A directory cannot move below itself.
		return linkErr(fs.ErrInvalid)
	}
	m.seq++
	od.setEntry(m.seq, oldBase, nil)
	nd.setEntry(m.seq, newBase, n)
	return nil
}

// MkdirAll implements [FS.MkdirAll]. Each directory it creates is a new
// entry of its parent, durable only after SyncDir of that parent.
func (m *MemFS) MkdirAll(dir string, perm os.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.root
	for _, part := range splitPath(dir) {
		next, ok := n.children[part]
		if !ok {
			next = newDirNode(perm)
			m.seq++
			n.setEntry(m.seq, part, next)
		} else if !next.isDir {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		n = next
	}
	return nil
}

// List implements [FS.List].
func (m *MemFS) List(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.lookup("open", dir)
	if err != nil {
		return nil, err
	}
	if !d.isDir {
		return nil, &fs.PathError{Op: "readdirent", Path: dir, Err: syscall.ENOTDIR}
	}
	return slices.Sorted(maps.Keys(d.children)), nil
}

// Stat implements [FS.Stat]. A file's size and time are read under its
// own lock, which its open handles write under.
func (m *MemFS) Stat(name string) (os.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	if !n.isDir {
		n.mu.RLock()
		defer n.mu.RUnlock()
	}
	return n.stat(filepath.Base(cleanPath(name))), nil
}

// SyncDir implements [FS.SyncDir]: the current entries of dir become the
// ones a crash keeps. It does not sync the files themselves, nor dir's own
// entry in its parent.
func (m *MemFS) SyncDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.lookup("sync", dir)
	if err != nil {
		return err
	}
	if !d.isDir {
		return &fs.PathError{Op: "sync", Path: dir, Err: syscall.ENOTDIR}
	}
	d.synced = maps.Clone(d.children)
	d.pending = nil
	return nil
}

// String lists every file and directory of m, one a line in name order,
// with each file's current and synced sizes, and marks entries that a
// crash would not keep. It is meant for test failure messages.
func (m *MemFS) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	var list func(d *memNode, dir string)
	list = func(d *memNode, dir string) {
		for _, name := range slices.Sorted(maps.Keys(d.children)) {
			n := d.children[name]
			p := filepath.Join(dir, name)
			unsynced := ""
			if d.synced[name] != n {
				unsynced = " (entry not synced)"
			}
			if n.isDir {
				fmt.Fprintf(&b, "%s%c%s\n", p, filepath.Separator, unsynced)
				list(n, p)
				continue
			}
			n.mu.RLock()
			fmt.Fprintf(&b, "%s %d bytes, %d synced%s\n", p, len(n.data), len(n.durable), unsynced)
			n.mu.RUnlock()
		}
	}
	list(m.root, string(filepath.Separator))
	return b.String()
}
