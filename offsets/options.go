package offsets

import (
	"log/slog"
	"time"

	"github.com/commitlog-go/commitlog/vfs"
)

// Options configure a Store. The zero value of every field means its
// default; Open copies them.
type Options struct {
	// FS is the filesystem. Default vfs.Default.
	FS vfs.FS
	// Now is the clock that dates commits. Default time.Now.
	Now func() time.Time
	// NoSync makes commits return once written, without an fsync: many
	// times faster, but a crash of the machine may lose the latest
	// commits, and consumers then read some records again. Default false:
	// a commit that returned survives any crash.
	NoSync bool
	// NoLock makes Open take no lock on the directory, for a caller that
	// holds one covering it already, as a topic.Registry does for its
	// root. Default false.
	NoLock bool
	// CompactBytes is the size past which the log is compacted, once it
	// also holds more than twice the live offsets. Default (and any
	// value of 0 or less) 32 MiB.
	CompactBytes int64
	// ReadOnly opens the store to look, not to change, beside a Store
	// that another process (or this one) has open on the directory: Open
	// takes no lock and changes no file, reads the commits on disk then,
	// and serves them; commits made afterwards elsewhere are not seen.
	// A missing directory is a store with no commits, and is not
	// created. Commit, Queue, DeleteGroup, DeleteTopic and KeepTopics
	// fail with an error wrapping ErrReadOnly, and the log is never
	// compacted. Default false.
	ReadOnly bool
	// Logger receives a line for each decision the store makes on its
	// own: on Open, a Debug line with the offsets loaded ("offsets
	// opened"), and another each time a read-only Open reads the log
	// again because a compaction ran meanwhile; an Info line for each
	// compaction ("offsets compacted", with the log's size before and
	// after and the offsets kept). A record the log holds that does not
	// decode fails Open (ErrBadOffsets) and is not logged. The store's
	// log gets the logger too, for what its recovery cuts and the
	// segments it rolls and deletes. Default nil: discard.
	Logger *slog.Logger
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CompactBytes <= 0 {
		o.CompactBytes = compactBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
