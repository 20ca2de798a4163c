package producer

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/topic"

	"github.com/commitlog-go/commitlog/record"
)

// TestWriterRegroupsAcknowledgedProducers drives a queue's writer by hand.
// After a write that carried three records, the writer waits for three
// records on top of those that came during that write before it takes
// its next batch, so that producers waiting for acknowledgements share
// writes instead of taking turns; a flush cuts the wait short, and a
// write of one record is followed by none.
func TestWriterRegroupsAcknowledgedProducers(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{Partitioner: NewManualPartitioner()})
	q, err := prod.queueFor(&Message{Topic: "t"})
	require.NoError(t, err)
	// Stand in for the writer goroutine, so that add starts none.
	q.mu.Lock()
	q.writing = true
	q.mu.Unlock()

	var acked atomic.Int64
	add := func(v string) {
		q.add(record.Record{Value: []byte(v)}, 16, 0, func(_ Ack, err error) {
			require.NoError(t, err)
			acked.Add(1)
		})
	}
	slowWrite := writeRound{records: 3, took: time.Hour}
	taken := make(chan []*pendingBatch, 1)
	takeAfter := func(last writeRound) {
		go func() { taken <- q.take(nil, nil, last) }()
	}
	waitingFor := func(n int64) {
		require.Eventually(t, func() bool {
			q.mu.Lock()
			defer q.mu.Unlock()
			return q.regroupAt == n
		}, 10*time.Second, time.Millisecond)
	}
	records := func(bs []*pendingBatch) int {
		n := 0
		for _, b := range bs {
			n += len(b.callbacks)
		}
		return n
	}
	receive := func() []*pendingBatch {
		select {
		case bs := <-taken:
			return bs
		case <-time.After(10 * time.Second):
			t.Fatal("the writer did not take its batch")
			return nil
		}
	}

	add("came during the last write")
	takeAfter(slowWrite)
	waitingFor(1 + 3)
	add("a")
	add("b")
	select {
	case <-taken:
		t.Fatal("the writer took its batch before the producers it acknowledged came back")
	case <-time.After(50 * time.Millisecond):
	}
	add("c")
	bs := receive()
	require.Equal(t, 4, records(bs))
	q.writeBatches(nil, bs)
	require.Equal(t, int64(4), acked.Load())

	// A flush does not wait.
	add("d")
	takeAfter(slowWrite)
	waitingFor(1 + 3)
	q.flushTarget()
	bs = receive()
	require.Equal(t, 1, records(bs))
	q.writeBatches(nil, bs)

	// Nor does a writer whose last write carried one record.
	add("e")
	bs = q.take(nil, nil, writeRound{records: 1, took: time.Hour})
	require.Equal(t, 1, records(bs))
	q.writeBatches(nil, bs)
	require.Equal(t, int64(6), acked.Load())

	// Nothing is left: the writer is gone.
	require.Empty(t, q.take(nil, nil, writeRound{}))
}
