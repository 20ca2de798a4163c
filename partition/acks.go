package partition

import "fmt"

// Acks says when a produce to a replicated partition is acknowledged:
// Kafka's acks setting, with its numbers. It is defined here, below the
// producer and the replication layer, so that both speak of it without
// importing each other. On a partition that is its topic's only replica
// the three are the same: an append is its own commit.
type Acks int8

const (
	// AcksNone acknowledges a record once it is accepted for sending,
	// before any replica has written it (Kafka's acks=0).
	AcksNone Acks = 0
	// AcksLeader acknowledges once the leader has appended the records
	// (acks=1): a leader that fails before its followers copy them loses
	// them.
	AcksLeader Acks = 1
	// AcksAll acknowledges once every in-sync replica has the records and
	// the high watermark has passed them (acks=all, or -1), with at least
	// the partition's minimum of in-sync replicas. Kafka's default since
	// 3.0.
	AcksAll Acks = -1
)

// Valid reports whether a is one of the three settings.
func (a Acks) Valid() bool { return a == AcksNone || a == AcksLeader || a == AcksAll }

// String returns Kafka's spelling: "0", "1" or "all".
func (a Acks) String() string {
	switch a {
	case AcksNone:
		return "0"
	case AcksLeader:
		return "1"
	case AcksAll:
		return "all"
	}
	return fmt.Sprintf("Acks(%d)", int8(a))
}
