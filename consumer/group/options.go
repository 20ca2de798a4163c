package group

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/topic"
)

// Options configure a Coordinator. The zero value of every field means
// its default; Open copies them.
type Options struct {
	// NoSync makes offset commits return once written, without an fsync:
	// many times faster, but a crash of the machine may lose the latest
	// commits, and consumers then read some records again. Default false:
	// a commit that returned survives any crash.
	NoSync bool
	// CompactBytes is the size past which the committed offsets' log is
	// compacted (offsets.Options.CompactBytes). Default 32 MiB.
	CompactBytes int64
	// Logger receives a line for each decision the coordinator makes on
	// its own: members joining, leaving and expiring, rebalances,
	// partitions taken from members that did not take part in one, and
	// offsets committed as partitions are revoked. The members of its
	// groups log through it, and so does the store of committed offsets
	// it opens (offsets.Options.Logger: its opening and compactions).
	// Default: nothing is logged.
	Logger *slog.Logger
	// Metrics receives metrics.ConsumerLag for each partition a member
	// reads, labelled with the topic, the partition and the group, after
	// each poll that returned records. Default metrics.Discard.
	Metrics metrics.Collector
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Metrics = metrics.OrDiscard(o.Metrics)
	return o
}

// validate checks defaulted options.
func (o Options) validate() error {
	if o.CompactBytes < 0 {
		return fmt.Errorf("%w: negative CompactBytes %d", ErrInvalidConfig, o.CompactBytes)
	}
	return nil
}

// MemberOptions configure a member of a consumer group. The zero value of
// every field but Topics means its default; Join copies them.
type MemberOptions struct {
	// Topics are the topics the group reads; every member of a group
	// names the same ones. A topic that does not exist yet is read from
	// when it is created.
	Topics []string
	// Assignor divides the partitions among the members. The first member
	// to join chooses it for the group. Default RangeAssignor.
	Assignor Assignor
	// SessionTimeout removes a member that has not called Poll for this
	// long, and gives its partitions to the others (session.timeout.ms).
	// Default 45 seconds.
	SessionTimeout time.Duration
	// RebalanceTimeout is how long a rebalance waits for the member to
	// come back to Poll and give up the partitions it moves away: past
	// it, a member that is still away from Poll loses them without
	// taking part (its OnLost runs at its next Poll, and what it returned
	// since its last commit is read again by their new owner). A member
	// that has been away for longer when the rebalance begins loses them
	// at once. Default 1 second.
	RebalanceTimeout time.Duration
	// AutoCommitInterval is how often Poll commits the positions of the
	// member's partitions (auto.commit.interval.ms). Default 5 seconds.
	AutoCommitInterval time.Duration
	// ManualCommit turns automatic commits off: positions are committed
	// only by Commit. Default false: Poll commits every
	// AutoCommitInterval, and the member commits before it gives a
	// partition up in a rebalance and when it closes.
	ManualCommit bool
	// Start is where a member starts in a partition for which the group
	// has committed no offset (auto.offset.reset). Default
	// consumer.Earliest: an embedded log's new group usually wants every
	// record, where Kafka's consumers default to the latest.
	Start consumer.Position
	// FailOnOutOfRange: see consumer.Options.
	FailOnOutOfRange bool

	// OnAssigned, if set, is called with the partitions the member takes
	// in a rebalance, sorted, once it is ready to read them from the
	// group's committed offsets and before Poll returns any of their
	// records. Default nil.
	OnAssigned func(ctx context.Context, partitions []TopicPartition)
	// OnRevoked, if set, is called with the partitions the member gives
	// up in a rebalance or as it closes, sorted, while it still holds
	// them: it may commit what it has processed of them (with automatic
	// commits, the positions of all of them are committed just before).
	// Default nil.
	OnRevoked func(ctx context.Context, partitions []TopicPartition)
	// OnLost, if set, is called with partitions the member no longer
	// holds and could not give up itself, sorted: it stayed away from
	// Poll past its RebalanceTimeout or its SessionTimeout, or their
	// topic was deleted. Their commits are refused with ErrRebalanced.
	// Default nil: OnRevoked is called for them instead, as Kafka's
	// consumers do.
	OnLost func(ctx context.Context, partitions []TopicPartition)
}

// Defaults of MemberOptions.
const (
	DefaultSessionTimeout     = 45 * time.Second
	DefaultRebalanceTimeout   = time.Second
	DefaultAutoCommitInterval = 5 * time.Second
)

// withDefaults returns o with every zero field set to its default, and
// its own copy of Topics.
func (o MemberOptions) withDefaults() MemberOptions {
	o.Topics = slices.Clone(o.Topics)
	if o.Assignor == nil {
		o.Assignor = RangeAssignor{}
	}
	if o.SessionTimeout == 0 {
		o.SessionTimeout = DefaultSessionTimeout
	}
	if o.RebalanceTimeout == 0 {
		o.RebalanceTimeout = DefaultRebalanceTimeout
	}
	if o.AutoCommitInterval == 0 {
		o.AutoCommitInterval = DefaultAutoCommitInterval
	}
	return o
}

// validate checks defaulted options.
func (o MemberOptions) validate() error {
	if len(o.Topics) == 0 {
		return fmt.Errorf("%w: a group member needs topics", ErrInvalidConfig)
	}
	for _, name := range o.Topics {
		if err := topic.ValidateName(name); err != nil {
			return fmt.Errorf("%w: subscribing to %q: %w", ErrInvalidConfig, name, err)
		}
	}
	if o.SessionTimeout < 0 || o.RebalanceTimeout < 0 || o.AutoCommitInterval < 0 {
		return fmt.Errorf("%w: negative session timeout, rebalance timeout or commit interval", ErrInvalidConfig)
	}
	return nil
}
