package vfs

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// errLockedHere is the error for a lock already held by this very process.
var errLockedHere = fmt.Errorf("%w in this process", ErrLocked)

// heldLocks is the set of absolute paths locked through Default by this
// process. The operating system's own locks do not reliably conflict
// within one process (POSIX fcntl locks never do, and flock only between
// separate opens), so this set makes a second Lock of the same path fail
// at once and with a clear message on every host.
var heldLocks = struct {
	sync.Mutex
	paths map[string]bool
}{paths: make(map[string]bool)}

// lockOS implements Default.Lock: it claims path in heldLocks, then opens
// the file, refusing a symbolic link as Default's other opens do, and asks
// the operating system for an exclusive lock on it.
func lockOS(name string) (io.Closer, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, &fs.PathError{Op: "lock", Path: name, Err: err}
	}
	heldLocks.Lock()
	if heldLocks.paths[abs] {
		heldLocks.Unlock()
		return nil, &fs.PathError{Op: "lock", Path: name, Err: errLockedHere}
	}
	heldLocks.paths[abs] = true
	heldLocks.Unlock()

	f, err := openFile(name, os.O_RDWR|os.O_CREATE)
	if err == nil {
		err = lockFile(f)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		forgetLock(abs)
		return nil, err
	}
	return &osLock{f: f, path: abs}, nil
}

func forgetLock(abs string) {
	heldLocks.Lock()
	delete(heldLocks.paths, abs)
	heldLocks.Unlock()
}

// osLock is a lock taken by lockOS.
type osLock struct {
	mu   sync.Mutex
	f    *os.File // nil once released
	path string   // absolute
}

// Close releases the lock. Calls after the first do nothing and return nil.
func (l *osLock) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	// Release the operating-system lock before the in-process claim, so
	// that a new owner in this process never finds the file still locked.
	uerr := unlockFile(l.f)
	cerr := l.f.Close()
	l.f = nil
	forgetLock(l.path)
	if uerr != nil {
		return uerr
	}
	return cerr
}
