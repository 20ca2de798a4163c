package producer

import (
	"errors"

	"github.com/commitlog-go/commitlog/topic"
)

var (
	// ErrRecordTooLarge means a message would make a batch larger than
	// its topic's MaxMessageBytes.
	ErrRecordTooLarge = errors.New("producer: record too large")
	// ErrBufferFull means the producer's buffer is full and its options
	// say to fail rather than wait.
	ErrBufferFull = errors.New("producer: buffer full")
	// ErrClosed is returned by a closed producer, or one whose registry
	// closed. It is topic.ErrClosed (and log.ErrClosed), so one errors.Is
	// test covers every layer.
	ErrClosed = topic.ErrClosed
	// ErrUnknownTopic is topic.ErrUnknownTopic: a message to a topic that
	// does not exist.
	ErrUnknownTopic = topic.ErrUnknownTopic
	// ErrUnknownPartition is topic.ErrUnknownPartition: a message to a
	// partition its topic does not have.
	ErrUnknownPartition = topic.ErrUnknownPartition
	// ErrInvalidConfig is topic.ErrInvalidConfig: an option out of range.
	ErrInvalidConfig = topic.ErrInvalidConfig
)
