package topic

import (
	"log/slog"
	"time"

	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/vfs"
)

// Options configure a registry. The zero value of every field means its
// default; Open copies them.
type Options struct {
	// FS is the filesystem. Default vfs.Default.
	FS vfs.FS
	// Now is the clock of the partitions' logs (LogAppendTime, retention),
	// and of what is built on the registry (committed offsets' times,
	// group members' sessions). Default time.Now.
	Now func() time.Time
	// RetentionCheckInterval is how often each partition enforces
	// retention in the background. Default 5 minutes; negative: never on
	// its own.
	RetentionCheckInterval time.Duration
	// ReadOnly opens the registry to look, not to change: Open takes no
	// lock, so it works while another Registry, in this process or
	// another, has the directory open; it writes nothing, finishing no
	// interrupted operation and giving no ID to a topic stored before
	// topics had IDs (its Topic.ID is zero); and every method that would write fails
	// with an error wrapping ErrReadOnly. The topics and records are
	// those on disk when Open reads them. Default false.
	ReadOnly bool
	// Logger receives a line for each decision the registry makes: a
	// topic created, grown, reconfigured or deleted, an open refused for
	// the lock, an interrupted operation finished or an ID given on
	// Open. Each partition's log gets it too, with "topic" and
	// "partition" attributes. Default nil: discard.
	Logger *slog.Logger
	// Metrics receives the measurements of every partition's log,
	// labelled with the topic and the partition (see metrics.With).
	// Default nil: discard.
	Metrics metrics.Collector
}

// withDefaults returns o with every zero field set to its default. No
// value of Options is out of range.
func (o Options) withDefaults() Options {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Metrics = metrics.OrDiscard(o.Metrics)
	return o
}
