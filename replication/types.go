package replication

import (
	"fmt"
	"slices"
	"time"

	"github.com/commitlog-go/commitlog/partition"
)

// ReplicaID names a replica's node. The application chooses the IDs; they
// are 0 or more.
type ReplicaID int32

// NoLeader is PartitionState.Leader when no replica may lead, and
// ConsumerID is FetchRequest.ReplicaID for a consumer's fetch: Kafka uses
// -1 for both.
const (
	NoLeader   ReplicaID = -1
	ConsumerID ReplicaID = -1
)

// Incarnation is a node's broker epoch (Kafka's KIP-903): a number the
// Controller gives the node each time it registers, larger after every
// restart. A fetch from an older incarnation than the controller knows is
// refused, so that a replica never trusts what a node said before it
// crashed and lost its page cache.
type Incarnation int64

// Acks is when a produce is acknowledged (see partition.Acks).
type Acks = partition.Acks

// The acks settings, as partition defines them.
const (
	AcksNone   = partition.AcksNone
	AcksLeader = partition.AcksLeader
	AcksAll    = partition.AcksAll
)

// PartitionState is the Controller's decision for one partition, which
// it hands to every replica of it: Kafka's LeaderAndIsr with the eligible
// leader replicas of KIP-966. Every change raises PartitionEpoch; a change
// of leader raises LeaderEpoch too.
type PartitionState struct {
	Topic     string
	Partition int32
	// Leader is the replica that takes appends, or NoLeader.
	Leader ReplicaID
	// LeaderEpoch numbers the leaders of the partition: every election
	// raises it, and every batch a leader appends carries it.
	LeaderEpoch int32
	// PartitionEpoch numbers the states: every change raises it, so that
	// a replica can refuse a state older than one it has applied.
	PartitionEpoch int64
	// Replicas is the assignment, in order of preference.
	Replicas []ReplicaID
	// ISR is the in-sync replicas: those that hold every committed
	// record. It holds Leader whenever there is one.
	ISR []ReplicaID
	// ELR is the eligible leader replicas (KIP-966): replicas that left
	// the ISR while it was below MinISR, and so still hold every record
	// committed until then. The leader may come from it when the ISR is
	// empty of live replicas.
	ELR []ReplicaID
	// MinISR is min.insync.replicas: the number of in-sync replicas,
	// leader included, that an acks=all produce needs. The effective
	// minimum is never above the number of replicas.
	MinISR int
	// Unclean is set when Leader was elected from outside the ISR and the
	// ELR: committed records may be lost, and followers may truncate
	// below their high watermark to follow it.
	Unclean bool
}

// Clone returns a copy of s that shares no slice with it.
func (s PartitionState) Clone() PartitionState {
	s.Replicas = slices.Clone(s.Replicas)
	s.ISR = slices.Clone(s.ISR)
	s.ELR = slices.Clone(s.ELR)
	return s
}

// EffectiveMinISR is MinISR held to the number of replicas, and at least
// 1: Kafka's rule, so that a partition of two replicas with a minimum of
// three still takes acks=all produces once both are in sync.
func (s PartitionState) EffectiveMinISR() int {
	return max(1, min(s.MinISR, len(s.Replicas)))
}

// String describes the state in one line, for logs and test failures.
func (s PartitionState) String() string {
	unclean := ""
	if s.Unclean {
		unclean = " unclean"
	}
	return fmt.Sprintf("%s-%d leader %d epoch %d partition epoch %d replicas %v isr %v elr %v min isr %d%s",
		s.Topic, s.Partition, s.Leader, s.LeaderEpoch, s.PartitionEpoch, s.Replicas, s.ISR, s.ELR, s.MinISR, unclean)
}

// Role is what a replica is doing.
type Role int8

const (
	// Offline: not started, stopped, or its log failed.
	Offline Role = iota
	// Leader: it takes appends and answers its followers' fetches.
	Leader
	// Follower: it fetches from the leader and copies its log.
	Follower
	// Fenced: a follower whose leader said its epoch is stale; it waits
	// for a newer state.
	Fenced
)

// String names the role.
func (r Role) String() string {
	switch r {
	case Offline:
		return "offline"
	case Leader:
		return "leader"
	case Follower:
		return "follower"
	case Fenced:
		return "fenced"
	}
	return fmt.Sprintf("Role(%d)", int8(r))
}

// Clock is a replica's time: the wall clock in production, virtual time
// in the simulator. AfterFunc runs f once d has passed, on a goroutine of
// the clock's choosing (the simulator's: its own loop), unless stop is
// called first; stop reports whether it prevented the call.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// WallClock is the Clock of the time package.
var WallClock Clock = wallClock{}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// contains reports whether ids holds id.
func contains(ids []ReplicaID, id ReplicaID) bool { return slices.Contains(ids, id) }
