package producer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
)

// TestClosedErrorsSayWhatClosed produces after each kind of close: the
// error names what closed, never reads "log: closed", and matches
// ErrClosed and topic.ErrClosed exactly where each is true.
func TestClosedErrorsSayWhatClosed(t *testing.T) {
	ctx := context.Background()
	type want struct {
		msg              string
		producer, topics bool // errors.Is ErrClosed, topic.ErrClosed
	}
	check := func(t *testing.T, err error, w want) {
		t.Helper()
		require.EqualError(t, err, w.msg)
		require.Equal(t, w.producer, errors.Is(err, ErrClosed), "errors.Is(err, ErrClosed)")
		require.Equal(t, w.topics, errors.Is(err, topic.ErrClosed), "errors.Is(err, topic.ErrClosed)")
		var ce *ClosedError
		require.ErrorAs(t, err, &ce)
	}

	t.Run("producer", func(t *testing.T) {
		_, r := memRegistry(t)
		_, err := r.Create(ctx, "t", topic.Config{})
		require.NoError(t, err)
		prod := mustProducer(t, r, Options{})
		require.NoError(t, prod.Close())
		_, err = prod.Produce(ctx, Message{Topic: "t"})
		check(t, err, want{`producer: closed: message to topic "t" not written`, true, false})
	})
	t.Run("registry", func(t *testing.T) {
		_, r := memRegistry(t)
		_, err := r.Create(ctx, "t", topic.Config{})
		require.NoError(t, err)
		prod := mustProducer(t, r, Options{})
		require.NoError(t, r.Close())
		_, err = prod.Produce(ctx, Message{Topic: "t"})
		check(t, err, want{`producer: registry closed: message to topic "t" not written`, true, true})
		_, err = New(r, Options{})
		check(t, err, want{`producer: registry closed`, true, true})
	})
	t.Run("topic", func(t *testing.T) {
		_, r := memRegistry(t)
		_, err := r.Create(ctx, "t", topic.Config{})
		require.NoError(t, err)
		prod := mustProducer(t, r, Options{Linger: time.Hour})
		done := make(chan error, 1)
		prod.ProduceAsync(ctx, Message{Topic: "t"}, func(_ Ack, err error) { done <- err })
		require.NoError(t, r.Delete(ctx, "t"))
		require.NoError(t, prod.Flush(ctx))
		check(t, <-done, want{`producer: topic "t" deleted: message not written`, false, true})
	})
}

// TestRecordTooLargeSaysWhatToRaise produces a record too large for its
// topic: the error names the topic, the record's size, the limit and the
// setting to raise; raising it lets the same record through.
func TestRecordTooLargeSaysWhatToRaise(t *testing.T) {
	ctx := context.Background()
	_, r := memRegistry(t)
	_, err := r.Create(ctx, "small", topic.Config{MaxMessageBytes: 200})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{})
	m := Message{Topic: "small", Key: []byte("k"), Value: make([]byte, 149)}

	_, err = prod.Produce(ctx, m)
	require.ErrorIs(t, err, ErrRecordTooLarge)
	var tooLarge *RecordTooLargeError
	require.ErrorAs(t, err, &tooLarge)
	require.Equal(t, "small", tooLarge.Topic)
	require.Equal(t, 150, tooLarge.RecordBytes)
	require.Equal(t, 200, tooLarge.MaxMessageBytes)
	require.Greater(t, tooLarge.BatchBytes, 200)
	for _, part := range []string{`"small"`, "(150 bytes)", "MaxMessageBytes is 200", "raise the topic's MaxMessageBytes"} {
		require.Contains(t, err.Error(), part)
	}
	require.False(t, strings.HasPrefix(err.Error(), "producer: record too large: "), "no sentinel text in front: %s", err)

	// A record that fits in 200 bytes with its batch's header goes through.
	_, err = prod.Produce(ctx, Message{Topic: "small", Value: make([]byte, 100)})
	require.NoError(t, err)

	_, err = r.AlterConfig(ctx, "small", func(c *topic.Config) { c.MaxMessageBytes = 1 << 10 })
	require.NoError(t, err)
	_, err = prod.Produce(ctx, m)
	require.NoError(t, err, "the raised limit applies to a running producer")

	// On a compressed topic the error says where the margin went.
	_, err = r.Create(ctx, "zipped", topic.Config{MaxMessageBytes: 200, Compression: compress.Zstd})
	require.NoError(t, err)
	_, err = prod.Produce(ctx, Message{Topic: "zipped", Value: make([]byte, 130)})
	require.ErrorIs(t, err, ErrRecordTooLarge)
	require.Contains(t, err.Error(), "less 1/64 kept spare for zstd compression")
}

// TestRecordLargerThanBatchBytesGoesAlone produces records larger than the
// producer's BatchBytes but within the topic's limit: each goes in a batch
// of its own, as Kafka's producer sends a record larger than batch.size.
func TestRecordLargerThanBatchBytesGoesAlone(t *testing.T) {
	ctx := context.Background()
	_, r := memRegistry(t)
	tp, err := r.Create(ctx, "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{BatchBytes: 1 << 10, Linger: time.Hour})
	for range 3 {
		prod.ProduceAsync(ctx, Message{Topic: "t", Value: make([]byte, 4<<10)}, func(_ Ack, err error) { require.NoError(t, err) })
	}
	require.NoError(t, prod.Flush(ctx))
	p := tp.Partitions()[0]
	require.Equal(t, int64(3), p.HighWatermark())
	buf, _, err := p.Read(nil, 0, readAll)
	require.NoError(t, err)
	require.Equal(t, 3, countBatches(t, buf), "one batch per large record")
}

// TestErrorMessages checks the producer's other errors: they say what is
// wrong in words a caller can act on, and never repeat the package name.
func TestErrorMessages(t *testing.T) {
	ctx := context.Background()
	_, r := memRegistry(t)
	_, err := r.Create(ctx, "t", topic.Config{Partitions: 2})
	require.NoError(t, err)

	_, err = New(r, Options{BatchBytes: -1})
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.EqualError(t, err, "producer: Options.BatchBytes is negative (-1)")

	manual := mustProducer(t, r, Options{Partitioner: NewManualPartitioner()})
	_, err = manual.Produce(ctx, Message{Topic: "t", Partition: 2})
	require.ErrorIs(t, err, ErrUnknownPartition)
	require.EqualError(t, err, `producer: topic "t" has no partition 2 (it has 2)`)

	full := mustProducer(t, r, Options{Linger: time.Hour, BufferBytes: 100, FailWhenFull: true})
	full.ProduceAsync(ctx, Message{Topic: "t", Value: make([]byte, 60)}, nil)
	_, err = full.Produce(ctx, Message{Topic: "t", Value: make([]byte, 60)})
	require.ErrorIs(t, err, ErrBufferFull)
	require.EqualError(t, err, "producer: buffer full: records not yet acknowledged hold 97 of the 100 bytes of Options.BufferBytes, and this one needs 97 more")

	_, err = New(r, Options{Linger: -time.Second})
	require.EqualError(t, err, "producer: Options.Linger is negative (-1s)")

	for _, err := range []error{ErrRecordTooLarge, ErrBufferFull, ErrClosed} {
		require.NotContains(t, err.Error(), "producer: producer")
	}
}

// readAll reads everything a test partition holds.
var readAll = partition.ReadOptions{MaxBytes: 1 << 20}

// countBatches counts the batches in data, which must be whole.
func countBatches(t *testing.T, data []byte) int {
	t.Helper()
	s := record.NewScanner(data, record.CheckAll)
	n := 0
	for s.Next() {
		n++
	}
	require.NoError(t, s.Err())
	return n
}
