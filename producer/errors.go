package producer

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/topic"
)

// The sentinels below say what kind of failure an error is; test for them
// with errors.Is. The errors a producer returns say more (the topic, the
// sizes, what closed) and unwrap to them.
var (
	// ErrRecordTooLarge is the kind of a *RecordTooLargeError: a message
	// whose record cannot fit in a batch its topic accepts.
	ErrRecordTooLarge = errors.New("producer: record too large")
	// ErrBufferFull means the producer's buffer is full and its options
	// say to fail rather than wait (Options.FailWhenFull).
	ErrBufferFull = errors.New("producer: buffer full")
	// ErrClosed means the producer was closed, by its Close or by its
	// registry's. The errors that say so are *ClosedError values; when
	// the registry closed they are topic.ErrClosed (and log.ErrClosed)
	// as well.
	ErrClosed = errors.New("producer: closed")
	// ErrUnknownTopic is topic.ErrUnknownTopic: a message to a topic that
	// does not exist.
	ErrUnknownTopic = topic.ErrUnknownTopic
	// ErrUnknownPartition is topic.ErrUnknownPartition: a message to a
	// partition its topic does not have.
	ErrUnknownPartition = topic.ErrUnknownPartition
	// ErrInvalidConfig is topic.ErrInvalidConfig: an option out of range.
	ErrInvalidConfig = topic.ErrInvalidConfig
)

// ClosedError is the error of a message that a close kept from being
// written, or of New on a closed registry. Its message says what closed:
// the producer, its registry, the message's topic (deleted) or the
// partition. errors.Is matches it to ErrClosed when the producer was
// closed, by its own Close or by its registry's, and to topic.ErrClosed
// when the registry, the topic or the partition was.
type ClosedError struct {
	// Topic is the message's topic; empty for New.
	Topic string
	// Partition is the message's partition, when a closed partition
	// refused its batch; -1 otherwise.
	Partition int32

	what closed
	err  error // the partition's error, when it refused the batch
}

// closed is what a ClosedError says closed.
type closed uint8

const (
	producerClosed  closed = iota + 1 // the producer's own Close
	registryClosed                    // the registry's Close, which closes the producer too
	topicDeleted                      // the topic was deleted
	partitionClosed                   // the partition was closed on its own
)

// Error says what closed and, for a message, that it was not written.
func (e *ClosedError) Error() string {
	var what string
	switch e.what {
	case producerClosed:
		what = "closed"
	case registryClosed:
		what = "registry closed"
	case topicDeleted:
		what = fmt.Sprintf("topic %q deleted", e.Topic)
	default:
		what = fmt.Sprintf("partition %d of topic %q closed", e.Partition, e.Topic)
	}
	if e.Topic == "" {
		return "producer: " + what
	}
	if e.what == producerClosed || e.what == registryClosed {
		return fmt.Sprintf("producer: %s: message to topic %q not written", what, e.Topic)
	}
	return fmt.Sprintf("producer: %s: message not written", what)
}

// Unwrap returns ErrClosed when the producer was closed, and
// topic.ErrClosed (or the partition's error, which wraps it) when the
// registry, the topic or the partition was.
func (e *ClosedError) Unwrap() []error {
	var errs []error
	if e.what == producerClosed || e.what == registryClosed {
		errs = append(errs, ErrClosed)
	}
	switch {
	case e.err != nil:
		errs = append(errs, e.err)
	case e.what != producerClosed:
		errs = append(errs, topic.ErrClosed)
	}
	return errs
}

// closedError returns the error of a message to topicName (empty for New)
// refused because the producer or its registry is closed.
func (p *Producer) closedError(topicName string) error {
	if p.reg.Closed() {
		return &ClosedError{Topic: topicName, Partition: -1, what: registryClosed}
	}
	return &ClosedError{Topic: topicName, Partition: -1, what: producerClosed}
}

// RecordTooLargeError reports a message whose record would not fit in a
// batch its topic accepts even alone: the topic's MaxMessageBytes is too
// small for it. It unwraps to ErrRecordTooLarge.
type RecordTooLargeError struct {
	// Topic is the message's topic.
	Topic string
	// RecordBytes is the size of the message's key, value and headers.
	RecordBytes int
	// BatchBytes is the most a batch holding only this record could take:
	// the record encoded, and the batch's header.
	BatchBytes int
	// MaxMessageBytes is the topic's limit (max.message.bytes).
	MaxMessageBytes int
	// Compression is the topic's codec. On a compressed topic a batch
	// before compression may take MaxMessageBytes less 1/64 at most,
	// which leaves room for codecs that grow incompressible data.
	Compression compress.Codec
}

// Error names the topic, the sizes and the setting to raise.
func (e *RecordTooLargeError) Error() string {
	spare := ""
	if e.Compression != compress.None {
		spare = fmt.Sprintf(" (less 1/64 kept spare for %s compression)", e.Compression)
	}
	return fmt.Sprintf("producer: record too large for topic %q: its key, value and headers (%d bytes) "+
		"make a batch of up to %d bytes, and the topic's MaxMessageBytes is %d%s; "+
		"raise the topic's MaxMessageBytes (max.message.bytes) or send a smaller record",
		e.Topic, e.RecordBytes, e.BatchBytes, e.MaxMessageBytes, spare)
}

// Unwrap returns ErrRecordTooLarge.
func (e *RecordTooLargeError) Unwrap() error { return ErrRecordTooLarge }

// kindError is an error whose message says all that its kind, a sentinel,
// would, and more; it unwraps to the kind.
type kindError struct {
	kind error
	msg  string
}

// errorf returns an error of kind with a message formatted as fmt.Sprintf
// does; the message should read whole without the sentinel's text.
func errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
