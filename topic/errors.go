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
