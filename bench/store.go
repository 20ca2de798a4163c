package main

import (
	"fmt"
	"sort"
)

// A store is one log implementation under test, opened on a directory
// of its own. Records are addressed by their sequence number in the log,
// starting at 0, whatever the implementation calls it (offset, index).
// A store is used by one goroutine, except appendDurable.
type store interface {
	// appendBatch appends records in order, as one batch where the store
	// has batches, and returns when they are written (but not
	// necessarily synced). The store may keep recs only until it returns.
	appendBatch(recs [][]byte) error
	// sync makes everything appended durable (fsync or fdatasync).
	sync() error
	// appendDurable appends one record and returns once it is durable.
	// Many goroutines call it at once; a store with group commit shares
	// fsyncs between them, others do what their API allows.
	appendDurable(rec []byte) error
	// scan calls fn with every record from sequence number 0 on, in
	// order. value is valid only during the call.
	scan(fn func(seq int64, value []byte) error) error
	// read returns the record with sequence number seq, appending its
	// value to dst.
	read(dst []byte, seq int64) ([]byte, error)
	// close closes the store cleanly.
	close() error
}

// storeOptions are what every store is opened with.
type storeOptions struct {
	// syncEachAppend makes every appendBatch return only once its
	// records are durable: through the store's own setting where it has
	// one, else by the adapter calling sync.
	syncEachAppend bool
	// codec names the compression of batches: "" (none), "lz4", "zstd".
	// Stores that cannot compress are not run with a codec.
	codec string
}

// storeKind describes one implementation.
type storeKind struct {
	name string
	// version is the module version under test.
	version string
	// open opens (creating if need be) a store in dir.
	open func(dir string, o storeOptions) (store, error)
	// compresses is true for stores that compress batches themselves.
	compresses bool
	// checksOnOpen is true for stores that read and check everything
	// they wrote since their last sync when they open after a crash, as
	// commitlog's recovery does.
	checksOnOpen bool
	// notes say what this store does less than commitlog (no CRC on read,
	// no index, no fsync), so that its figures are read fairly.
	notes string
}

var storeKinds = map[string]storeKind{}

// register adds an implementation; each store_*.go file registers one.
func register(k storeKind) {
	if _, dup := storeKinds[k.name]; dup {
		panic("bench: store registered twice: " + k.name)
	}
	storeKinds[k.name] = k
}

// storeNames lists the registered stores, commitlog first and the peers
// by name.
func storeNames() []string {
	var names []string
	for name := range storeKinds {
		if name != ours {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return append([]string{ours}, names...)
}

// ours is commitlog's store name.
const ours = "commitlog"

func lookupStore(name string) (storeKind, error) {
	k, ok := storeKinds[name]
	if !ok {
		return storeKind{}, fmt.Errorf("no store named %q", name)
	}
	return k, nil
}
