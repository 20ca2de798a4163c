package vfs

import (
	"io"
	"io/fs"
)

// Lock implements [FS.Lock] with an exclusive lock held in memory, keyed
// by the cleaned name. Like the OS version it creates the file if needed.
func (m *MemFS) Lock(name string) (io.Closer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := cleanPath(name)
	if m.locks[key] {
		return nil, &fs.PathError{Op: "lock", Path: name, Err: ErrLocked}
	}
	if _, err := m.openNode(name, false); err != nil {
		return nil, err
	}
	m.locks[key] = true
	return &memLock{fs: m, key: key}, nil
}

// memLock is a lock taken by MemFS.Lock.
type memLock struct {
	fs       *MemFS
	key      string
	released bool // guarded by fs.mu
}

// Close releases the lock. Calls after the first do nothing and return nil.
func (l *memLock) Close() error {
	l.fs.mu.Lock()
	defer l.fs.mu.Unlock()
	if !l.released {
		l.released = true
		delete(l.fs.locks, l.key)
	}
	return nil
}
