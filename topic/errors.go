package topic

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/partition"
)

// The sentinels below say what kind of failure an error is; test for them
// with errors.Is. The errors the registry returns say more: they name the
// topic (`topic: "orders" already exists`) and unwrap to the sentinel.
var (
	// ErrInvalidName is wrapped by *NameError.
	ErrInvalidName = errors.New("topic: invalid topic name")
	// ErrTopicExists means Create named a topic that exists.
	ErrTopicExists = errors.New("topic: already exists")
	// ErrUnknownTopic means an operation named a topic, by name or by ID,
	// that does not exist, or no longer does.
	ErrUnknownTopic = errors.New("topic: unknown topic")
	// ErrInvalidID means ParseID was given something other than the text
	// form of a topic ID.
	ErrInvalidID = errors.New("topic: invalid topic ID")
	// ErrUnknownPartition means an operation named a partition the topic
	// does not have.
	ErrUnknownPartition = errors.New("topic: unknown partition")
	// ErrInvalidConfig means a Config or an option is out of range.
	ErrInvalidConfig = errors.New("topic: invalid configuration")
	// ErrBadMetadata means a topic's metadata file exists but cannot be
	// read as one.
	ErrBadMetadata = errors.New("topic: unreadable topic metadata")
	// ErrReadOnly is returned by every operation that would write to a
	// registry opened with Options.ReadOnly, or to one of its partitions.
	// It is the same value as log.ErrReadOnly and partition.ErrReadOnly.
	ErrReadOnly = partition.ErrReadOnly
	// ErrClosed is returned by operations on a closed registry, topic or
	// partition, and by producers and readers whose registry or topic
	// closed. It is the same value as log.ErrClosed and
	// partition.ErrClosed, so one errors.Is test covers every layer. (A
	// producer closed itself says producer.ErrClosed.)
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

// kindError is an error whose message says all that its kind, a sentinel,
// would, and more; it unwraps to the kind and to any cause the message
// wraps with %w.
type kindError struct {
	kind error
	err  error
}

// errorf returns an error of kind with a message formatted as fmt.Errorf
// does; the message should read whole without the sentinel's text.
func errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, err: fmt.Errorf(format, args...)}
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// unknownTopic is the error for a lookup of name that found nothing.
func unknownTopic(name string) error {
	return errorf(ErrUnknownTopic, "topic: unknown topic %q", name)
}

// invalidConfig is an ErrInvalidConfig error of a change to topic name.
func invalidConfig(format string, args ...any) error {
	return errorf(ErrInvalidConfig, "topic: "+format, args...)
}
