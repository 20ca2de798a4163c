package replication

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/partition"
)

// The errors of replication. Each is a sentinel for errors.Is; the calls
// of a Replica wrap them in an *Error that names the partition. Those that
// travel in a FetchResponse have a code on the wire (Code), Kafka's number
// where Kafka has the error.
var (
	// ErrNotLeader: the replica is not the partition's leader (Kafka's
	// NOT_LEADER_OR_FOLLOWER). A produce to it writes nothing; a produce
	// pending when it lost its leadership has an unknown outcome.
	ErrNotLeader = errors.New("replication: not the leader")
	// ErrFencedLeaderEpoch: the sender's leader epoch is older than the
	// replica's (FENCED_LEADER_EPOCH). A follower told so stops fetching
	// until it is given a newer state.
	ErrFencedLeaderEpoch = errors.New("replication: fenced leader epoch")
	// ErrUnknownLeaderEpoch: the sender's leader epoch is newer than the
	// replica's, or the sender is not a replica of the partition
	// (UNKNOWN_LEADER_EPOCH); the sender backs off and tries again.
	ErrUnknownLeaderEpoch = errors.New("replication: unknown leader epoch")
	// ErrStaleIncarnation: a fetch from an incarnation of its node older
	// than the one the controller knows (STALE_BROKER_EPOCH).
	ErrStaleIncarnation = errors.New("replication: stale incarnation")
	// ErrStaleState: a PartitionState older than one already applied, or
	// an ISR change proposed against a state that has changed since
	// (INVALID_UPDATE_VERSION).
	ErrStaleState = errors.New("replication: stale partition state")
	// ErrIneligibleReplica: an ISR change would add a replica that is
	// not alive at the incarnation it fetched with (INELIGIBLE_REPLICA).
	ErrIneligibleReplica = errors.New("replication: ineligible replica")
	// ErrUnknownPartition: no replica of the partition here
	// (UNKNOWN_TOPIC_OR_PARTITION).
	ErrUnknownPartition = errors.New("replication: unknown partition")
	// ErrNotEnoughReplicas: an acks=all produce while the ISR is below
	// its minimum (NOT_ENOUGH_REPLICAS); nothing was written.
	ErrNotEnoughReplicas = errors.New("replication: not enough in-sync replicas")
	// ErrNotEnoughReplicasAfterAppend: the records were written and
	// committed, but the ISR fell below its minimum before they were
	// acknowledged (NOT_ENOUGH_REPLICAS_AFTER_APPEND).
	ErrNotEnoughReplicasAfterAppend = errors.New("replication: not enough in-sync replicas after the append")
	// ErrAckTimeout: the high watermark did not pass an acks=all produce
	// in time (REQUEST_TIMED_OUT). The records stay in the leader's log
	// and may still be committed: the outcome is unknown.
	ErrAckTimeout = errors.New("replication: timed out waiting for the in-sync replicas")
	// ErrInvalidAcks: an acks value other than 0, 1 and -1
	// (INVALID_REQUIRED_ACKS).
	ErrInvalidAcks = errors.New("replication: invalid acks")
	// ErrStorage: the replica's log failed (KAFKA_STORAGE_ERROR); the
	// replica is offline until it is opened again.
	ErrStorage = errors.New("replication: storage error")
	// ErrTransport: a fetch could not reach the leader or its answer was
	// lost. It has no code: it never travels.
	ErrTransport = errors.New("replication: transport error")
	// ErrUnknown: an error a peer reported with a code this version does
	// not know (UNKNOWN_SERVER_ERROR).
	ErrUnknown = errors.New("replication: unknown error")
)

// The errors of the partition beneath, which replication errors wrap.
var (
	ErrOffsetOutOfRange             = partition.ErrOffsetOutOfRange
	ErrCorrupt                      = partition.ErrCorrupt
	ErrClosed                       = partition.ErrClosed
	ErrTruncationBelowHighWatermark = partition.ErrTruncationBelowHighWatermark
)

// Error is an error of one replica's operation: it names the partition
// and the operation, and unwraps to the cause.
type Error struct {
	Topic     string
	Partition int32
	Op        string // "append", "fetch", "apply", ...
	Err       error
}

// Error describes the failure with the partition's name.
func (e *Error) Error() string {
	return fmt.Sprintf("replica of %s-%d: %s: %v", e.Topic, e.Partition, e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Code is an error's number on the wire.
type Code int16

// The codes, Kafka's numbers. CodeNone is no error.
const (
	CodeUnknown                      Code = -1
	CodeNone                         Code = 0
	CodeOffsetOutOfRange             Code = 1
	CodeCorrupt                      Code = 2
	CodeUnknownPartition             Code = 3
	CodeNotLeader                    Code = 6
	CodeTimedOut                     Code = 7
	CodeNotEnoughReplicas            Code = 19
	CodeNotEnoughReplicasAfterAppend Code = 20
	CodeInvalidAcks                  Code = 21
	CodeStorage                      Code = 56
	CodeFencedLeaderEpoch            Code = 74
	CodeUnknownLeaderEpoch           Code = 75
	CodeStaleIncarnation             Code = 77
	CodeStaleState                   Code = 95
	CodeIneligibleReplica            Code = 107
)

// codes maps each code to its sentinel, in both directions below.
var codes = []struct {
	code Code
	err  error
}{
	{CodeOffsetOutOfRange, ErrOffsetOutOfRange},
	{CodeCorrupt, ErrCorrupt},
	{CodeUnknownPartition, ErrUnknownPartition},
	{CodeNotLeader, ErrNotLeader},
	{CodeTimedOut, ErrAckTimeout},
	{CodeNotEnoughReplicas, ErrNotEnoughReplicas},
	{CodeNotEnoughReplicasAfterAppend, ErrNotEnoughReplicasAfterAppend},
	{CodeInvalidAcks, ErrInvalidAcks},
	{CodeStorage, ErrStorage},
	{CodeFencedLeaderEpoch, ErrFencedLeaderEpoch},
	{CodeUnknownLeaderEpoch, ErrUnknownLeaderEpoch},
	{CodeStaleIncarnation, ErrStaleIncarnation},
	{CodeStaleState, ErrStaleState},
	{CodeIneligibleReplica, ErrIneligibleReplica},
}

// CodeOf is err's code: CodeNone for nil, the code of the first sentinel
// err wraps, and CodeUnknown for any other error.
func CodeOf(err error) Code {
	if err == nil {
		return CodeNone
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeUnknown
}

// Err is the sentinel of code c: nil for CodeNone, ErrUnknown for a code
// this version does not know.
func (c Code) Err() error {
	if c == CodeNone {
		return nil
	}
	for _, e := range codes {
		if e.code == c {
			return e.err
		}
	}
	return ErrUnknown
}
