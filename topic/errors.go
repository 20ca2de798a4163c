package topic

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/partition"
)

var (
	// ErrInvalidName is wrapped by *NameError.
	ErrInvalidName = errors.New("topic: invalid topic name")
	// ErrTopicExists means Create named a topic that exists.
	ErrTopicExists = errors.New("topic: topic already exists")
	// ErrUnknownTopic means an operation named a topic that does not
	// exist, or no longer does.
	ErrUnknownTopic = errors.New("topic: unknown topic")
	// ErrUnknownPartition means an operation named a partition the topic
	// does not have.
	ErrUnknownPartition = errors.New("topic: unknown partition")
	// ErrInvalidConfig means a Config or an option is out of range.
	ErrInvalidConfig = errors.New("topic: invalid configuration")
	// ErrBadMetadata means a topic's metadata file exists but cannot be
	// read as one.
	ErrBadMetadata = errors.New("topic: unreadable topic metadata")
	// ErrClosed is returned by operations on a closed registry, topic,
	// producer or reader. It is the same value as log.ErrClosed and
	// partition.ErrClosed, so one errors.Is test covers every layer.
	ErrClosed = partition.ErrClosed
	// ErrLocked means the registry's directory is open in another
	// Registry, in this process or another.
	ErrLocked = partition.ErrLocked
	// ErrRecordTooLarge means a message would make a batch larger than the
	// topic's MaxMessageBytes.
	ErrRecordTooLarge = errors.New("topic: record too large")
	// ErrInvalidGroup means a consumer group name is empty or longer
	// than 32,767 bytes.
	ErrInvalidGroup = errors.New("topic: invalid consumer group name")
	// ErrInvalidOffset means a commit, or a reader's start, named a
	// negative offset.
	ErrInvalidOffset = errors.New("topic: invalid offset")
	// ErrOffsetMetadataTooLarge means a commit's metadata is longer than
	// MaxOffsetMetadata.
	ErrOffsetMetadataTooLarge = errors.New("topic: offset metadata too large")
	// ErrBufferFull means a producer's buffer is full and its options
	// say to fail rather than wait.
	ErrBufferFull = errors.New("topic: producer buffer full")
	// ErrRebalanced means a group member's commit was refused whole,
	// nothing of it committed, because the member is no longer in the
	// group or does not hold a partition it named: its session lapsed
	// (it stayed away from Poll for longer than SessionTimeout) and the
	// group may have given its partitions to other members. It is the
	// counterpart of Kafka's ILLEGAL_GENERATION and
	// REBALANCE_IN_PROGRESS errors. An expired member's next Poll joins
	// the group again.
	ErrRebalanced = errors.New("topic: group rebalanced: partition no longer held by this member")
)

// NameError reports a topic name that Kafka's rules refuse.
type NameError struct {
	Name   string
	Reason string
}

// Error quotes the name and says what is wrong with it.
func (e *NameError) Error() string {
	return fmt.Sprintf("topic: invalid topic name %q: %s", e.Name, e.Reason)
}

// Unwrap returns ErrInvalidName.
func (e *NameError) Unwrap() error { return ErrInvalidName }
