package crashtest

import (
	"math/rand/v2"
	"sync"

	"github.com/commitlog-go/commitlog/vfs"
)

// Matrix takes crash clones of an in-memory filesystem while a workload
// runs on it: an exact clone (only what was synced survives) before every
// operation that makes something durable or moves a name (file sync,
// directory sync, rename, remove), and a torn clone (a random part of what
// was not synced survives, appends cut at a random byte) before every
// operation that changes anything, with probability TornRate. With each
// clone it keeps the workload's acknowledged state at that moment, from
// the function given to NewMatrix, so that a check can require the clone
// to hold at least that.
type Matrix[S any] struct {
	mem   *vfs.MemFS
	fs    vfs.FS
	state func() S

	mu     sync.Mutex
	on     bool
	rng    *rand.Rand
	rate   float64
	clones []Clone[S]
}

// Clone is one crash: the filesystem that survived it, the operation it
// came before, whether unsynced changes were partly kept, and what the
// workload had acknowledged by then.
type Clone[S any] struct {
	FS    *vfs.MemFS
	Op    vfs.Op
	Torn  bool
	Acked S
}

// NewMatrix wraps mem. state is called, with no filesystem operation of
// the workload in progress on that goroutine, each time a clone is taken;
// it must be safe to call from any goroutine doing filesystem operations.
func NewMatrix[S any](mem *vfs.MemFS, seed uint64, tornRate float64, state func() S) *Matrix[S] {
	x := &Matrix[S]{mem: mem, state: state, rng: rand.New(rand.NewPCG(seed, 11)), rate: tornRate}
	x.fs = vfs.Hook(mem, x.before)
	return x
}

// FS is the filesystem the workload runs on.
func (x *Matrix[S]) FS() vfs.FS { return x.fs }

// Start begins taking clones; Stop ends it.
func (x *Matrix[S]) Start() { x.mu.Lock(); x.on = true; x.mu.Unlock() }

// Stop stops taking clones and returns those taken so far, clearing them.
func (x *Matrix[S]) Stop() []Clone[S] {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.on = false
	clones := x.clones
	x.clones = nil
	return clones
}

func (x *Matrix[S]) before(op vfs.Op) error {
	boundary := op.Kind == vfs.OpSync || op.Kind == vfs.OpSyncDir || op.Kind == vfs.OpRename || op.Kind == vfs.OpRemove || op.Kind == vfs.OpRemoveAll
	changes := boundary || op.Kind == vfs.OpWrite || op.Kind == vfs.OpTruncate || op.Kind == vfs.OpCreate || op.Kind == vfs.OpMkdirAll
	if !changes {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.on {
		return nil
	}
	// What was acknowledged before the clone is taken is what the clone
	// must hold: read it first, since other goroutines go on meanwhile.
	if boundary {
		acked := x.state()
		x.clones = append(x.clones, Clone[S]{Acked: acked, Op: op, FS: x.mem.CrashClone(vfs.CrashOptions{})})
	}
	if x.rng.Float64() < x.rate {
		acked := x.state()
		x.clones = append(x.clones, Clone[S]{Acked: acked, Op: op, Torn: true, FS: x.mem.CrashClone(vfs.CrashOptions{Rand: x.rng})})
	}
	return nil
}
