package vfs

import (
	"fmt"
	"sync"
	"syscall"
)

// FaultPlan says which operations a FaultFS fails, and how.
type FaultPlan struct {
	// FailAt is the index, counting from 0, of the operation that fails
	// among those Match accepts. Negative: none fails, and the FaultFS
	// only counts.
	FailAt int
	// Match chooses the operations that count: writes to index files,
	// syncs, renames... Default: every operation.
	Match func(Op) bool
	// Err is the error the failed operation returns, wrapped in an
	// *InjectedError. Default syscall.EIO; syscall.ENOSPC stands for a
	// full disk.
	Err error
	// ShortWrite makes a failing write store the first half of its bytes
	// before it fails, as a write cut short by a full disk does.
	ShortWrite bool
	// Sticky fails every matching operation after the first failure, as a
	// dead disk does. Default: only the one.
	Sticky bool
}

// InjectedError is the error of an operation a FaultFS failed. It
// unwraps to the plan's Err.
type InjectedError struct {
	Op  Op
	Err error
}

// Error names the operation and the injected error.
func (e *InjectedError) Error() string {
	return fmt.Sprintf("vfs: injected %v on %s of %s", e.Err, e.Op.Kind, e.Op.Path)
}

// Unwrap returns the injected error.
func (e *InjectedError) Unwrap() error { return e.Err }

// FaultFS is an FS that fails operations as its plan says, for tests that
// run a workload once per failure point: FailAt 0, 1, 2, ... until a run
// completes without a failure (Fired is false).
type FaultFS struct {
	FS
	plan FaultPlan

	mu    sync.Mutex
	count int  // matching operations seen
	fired bool // an operation has failed
}

// NewFaultFS wraps fsys to fail operations as plan says.
func NewFaultFS(fsys FS, plan FaultPlan) *FaultFS {
	if plan.Err == nil {
		plan.Err = syscall.EIO
	}
	f := &FaultFS{plan: plan}
	f.FS = Hook(fsys, f.decide)
	// File writes go through faultFile, which can cut a write short; the
	// hook sees them as well, so decide must not fail them twice.
	f.FS = &faultFiles{FS: f.FS, f: f}
	return f
}

// Count is the number of matching operations seen so far.
func (f *FaultFS) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count
}

// Fired reports whether an operation has been failed.
func (f *FaultFS) Fired() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// fail counts op and reports whether it is to fail.
func (f *FaultFS) fail(op Op) bool {
	if f.plan.Match != nil && !f.plan.Match(op) {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.count
	f.count++
	if (f.plan.FailAt >= 0 && i == f.plan.FailAt) || (f.plan.Sticky && f.fired) {
		f.fired = true
		return true
	}
	return false
}

// decide is the hook: it fails every operation but writes, which
// faultFile handles.
func (f *FaultFS) decide(op Op) error {
	if op.Kind == OpWrite {
		return nil
	}
	if f.fail(op) {
		return &InjectedError{Op: op, Err: f.plan.Err}
	}
	return nil
}

// faultFiles wraps the files the hooked FS opens in faultFile.
type faultFiles struct {
	FS
	f *FaultFS
}

type faultFile struct {
	File
	name string
	f    *FaultFS
}

func (w *faultFiles) Create(name string) (File, error) { return w.wrap(name, w.FS.Create) }
func (w *faultFiles) Open(name string) (File, error)   { return w.wrap(name, w.FS.Open) }
func (w *faultFiles) OpenReadWrite(name string) (File, error) {
	return w.wrap(name, w.FS.OpenReadWrite)
}

func (w *faultFiles) wrap(name string, open func(string) (File, error)) (File, error) {
	file, err := open(name)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, name: name, f: w.f}, nil
}

// WriteAt fails the write if the plan says so, after writing half of p
// when the plan asks for short writes.
func (w *faultFile) WriteAt(p []byte, off int64) (int, error) {
	op := Op{Kind: OpWrite, Path: w.name}
	if !w.f.fail(op) {
		return w.File.WriteAt(p, off)
	}
	n := 0
	if w.f.plan.ShortWrite && len(p) > 1 {
		n, _ = w.File.WriteAt(p[:len(p)/2], off)
	}
	return n, &InjectedError{Op: op, Err: w.f.plan.Err}
}
