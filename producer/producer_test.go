package producer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/topic"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/vfs"
)

func mustProducer(t *testing.T, r *topic.Registry, opts Options) *Producer {
	t.Helper()
	p, err := New(r, opts)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

// TestProducerManyGoroutinesKeepOrderPerKey has 64 goroutines produce
// keyed messages, half synchronously and half asynchronously, and reads
// the topic back: every message is there once, at the offset its
// acknowledgement gave, on its key's partition, and each key's messages
// are in the order they were produced.
func TestProducerManyGoroutinesKeepOrderPerKey(t *testing.T) {
	for _, codec := range []compress.Codec{compress.None, compress.LZ4} {
		t.Run(codec.String(), func(t *testing.T) {
			_, r := memRegistry(t)
			tp, err := r.Create(context.Background(), "events", topic.Config{Partitions: 6, Compression: codec, SegmentBytes: 256 << 10, SegmentIndexBytes: 8 << 10})
			require.NoError(t, err)
			prod := mustProducer(t, r, Options{BatchBytes: 4 << 10})
			const goroutines, perGoroutine, keysPer = 64, 300, 3
			ctx := context.Background()

			type where struct {
				partition int32
				offset    int64
			}
			var mu sync.Mutex
			acked := map[string]where{} // value -> where
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range perGoroutine {
						key := fmt.Sprintf("g%d-k%d", g, i%keysPer)
						value := fmt.Sprintf("%s-%d", key, i)
						m := Message{Topic: "events", Key: []byte(key), Value: []byte(value)}
						record := func(a Ack, err error) {
							if err != nil {
								t.Error(err)
								return
							}
							mu.Lock()
							acked[value] = where{a.Partition, a.Offset}
							mu.Unlock()
						}
						if g%2 == 0 {
							a, err := prod.Produce(ctx, m)
							record(a, err)
						} else {
							prod.ProduceAsync(ctx, m, record)
						}
					}
				})
			}
			wg.Wait()
			require.NoError(t, prod.Flush(ctx))
			require.Len(t, acked, goroutines*perGoroutine)

			reader, err := consumer.NewTopicReader(tp, consumer.Options{})
			require.NoError(t, err)
			lastSeq := map[string]int{}
			seen := 0
			for seen < goroutines*perGoroutine {
				rec, err := reader.Next(ctx)
				require.NoError(t, err)
				value := string(rec.Value)
				w, ok := acked[value]
				require.True(t, ok, "record %q was never acknowledged", value)
				require.Equal(t, where{rec.Partition, rec.Offset}, w, value)
				delete(acked, value)
				key := string(rec.Key)
				require.Equal(t, int32(KeyPartition(rec.Key, 6)), rec.Partition)
				seq, _ := strconv.Atoi(value[strings.LastIndexByte(value, '-')+1:])
				if last, ok := lastSeq[key]; ok {
					require.Greater(t, seq, last, "key %s out of order", key)
				}
				lastSeq[key] = seq
				seen++
			}
			require.Empty(t, acked)
			rec, err := reader.TryNext()
			require.NoError(t, err)
			require.Nil(t, rec, "no record beyond those produced")
		})
	}
}

// TestCallbacksExactlyOnce counts the outcomes of messages that succeed,
// that fail at once, and that are still waiting when the producer closes.
func TestCallbacksExactlyOnce(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(context.Background(), "t", topic.Config{Partitions: 2, MaxMessageBytes: 2 << 10})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{Linger: time.Hour, Partitioner: NewManualPartitioner()})
	ctx := context.Background()

	var calls sync.Map // id -> *atomic.Int32
	var failures sync.Map
	produce := func(id int, m Message) {
		n := &atomic.Int32{}
		calls.Store(id, n)
		prod.ProduceAsync(ctx, m, func(a Ack, err error) {
			n.Add(1)
			if err != nil {
				failures.Store(id, err)
			}
		})
	}
	for i := range 100 {
		produce(i, Message{Topic: "t", Value: []byte("v")})
	}
	produce(100, Message{Topic: "nope"})
	produce(101, Message{Topic: "t", Partition: 5})
	produce(102, Message{Topic: "t", Value: make([]byte, 4<<10)})

	// With an hour of linger nothing is written until Close.
	time.Sleep(10 * time.Millisecond)
	n0, _ := calls.Load(0)
	require.Equal(t, int32(0), n0.(*atomic.Int32).Load())

	require.NoError(t, prod.Close())
	produce(103, Message{Topic: "t"})

	calls.Range(func(id, n any) bool {
		require.Equal(t, int32(1), n.(*atomic.Int32).Load(), "message %d", id)
		return true
	})
	errOf := func(id int) error {
		e, ok := failures.Load(id)
		if !ok {
			return nil
		}
		return e.(error)
	}
	for i := range 100 {
		require.NoError(t, errOf(i))
	}
	require.ErrorIs(t, errOf(100), ErrUnknownTopic)
	require.ErrorIs(t, errOf(101), ErrUnknownPartition)
	require.ErrorIs(t, errOf(102), ErrRecordTooLarge)
	require.ErrorIs(t, errOf(103), ErrClosed)
}

// TestCallbacksOnWriteFailure closes the topic's partition under the
// producer: every waiting message gets the error, once, and the error
// says the partition closed, not the producer.
func TestCallbacksOnWriteFailure(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{Linger: time.Hour})
	var errs atomic.Int32
	var oks atomic.Int32
	for range 50 {
		prod.ProduceAsync(context.Background(), Message{Topic: "t", Value: []byte("v")}, func(_ Ack, err error) {
			if errors.Is(err, topic.ErrClosed) && !errors.Is(err, ErrClosed) &&
				err.Error() == `producer: partition 0 of topic "t" closed: message not written` {
				errs.Add(1)
			} else {
				oks.Add(1)
			}
		})
	}
	require.NoError(t, tp.Partitions()[0].Close())
	require.NoError(t, prod.Flush(context.Background()))
	require.Equal(t, int32(50), errs.Load())
	require.Equal(t, int32(0), oks.Load())
}

func TestBufferFull(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{Linger: time.Hour, BufferBytes: 1 << 10, FailWhenFull: true})
	var full atomic.Int32
	for range 100 {
		prod.ProduceAsync(context.Background(), Message{Topic: "t", Value: make([]byte, 100)}, func(_ Ack, err error) {
			if errors.Is(err, ErrBufferFull) {
				full.Add(1)
			}
		})
	}
	require.Greater(t, full.Load(), int32(80), "a 1 KiB buffer holds fewer than 20 records of 100 bytes")

	// A waiting producer gets room once the buffer drains, or gives up
	// with its context.
	waiting := mustProducer(t, r, Options{Linger: time.Hour, BufferBytes: 1 << 10})
	for range 5 {
		waiting.ProduceAsync(context.Background(), Message{Topic: "t", Value: make([]byte, 150)}, nil)
	}
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = waiting.Produce(short, Message{Topic: "t", Value: make([]byte, 500)})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	done := make(chan error, 1)
	go func() {
		_, err := waiting.Produce(context.Background(), Message{Topic: "t", Value: make([]byte, 500)})
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	// Close drains the buffer, lets the waiting produce in, and writes
	// its message too, linger or not.
	require.NoError(t, waiting.Close())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("producer blocked on a full buffer was not woken by the flush")
	}
}

// TestDurableProduceSurvivesCrash acknowledges messages on a durable topic
// and crashes the filesystem: every acknowledged message is there. It also
// counts the fsyncs: many messages share each one.
func TestDurableProduceSurvivesCrash(t *testing.T) {
	m := vfs.NewMem()
	var syncs atomic.Int64
	h := vfs.Hook(m, func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && strings.HasSuffix(op.Path, ".log") {
			syncs.Add(1)
			// As long as a fast disk takes: records arriving meanwhile
			// wait for the next write, and share its fsync.
			time.Sleep(200 * time.Microsecond)
		}
		return nil
	})
	r, err := topic.Open("/data", topic.Options{FS: h, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	_, err = r.Create(context.Background(), "t", topic.Config{Partitions: 2, Flush: log.FlushAlways, SegmentIndexBytes: 8 << 10})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{})
	const n = 4000
	var acked atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range n / 16 {
				_, err := prod.Produce(context.Background(), Message{Topic: "t", Key: []byte{byte(g)}, Value: []byte(strconv.Itoa(i))})
				if err != nil {
					t.Error(err)
					return
				}
				acked.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(n), acked.Load())
	// Eight synchronous producers per partition: most fsyncs must cover
	// several of them.
	require.Less(t, syncs.Load(), int64(n/2), "group commit: fsyncs are shared")

	c := m.CrashClone(vfs.CrashOptions{})
	r2, err := topic.Open("/data", topic.Options{FS: c, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r2.Close()
	tp, err := r2.Topic("t")
	require.NoError(t, err)
	total := int64(0)
	for _, p := range tp.Partitions() {
		total += p.HighWatermark()
	}
	require.Equal(t, int64(n), total)
}

func TestProducerOnDeletedTopic(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{Partitioner: NewManualPartitioner()})
	ctx := context.Background()
	_, err = prod.Produce(ctx, Message{Topic: "t", Value: []byte("a")})
	require.NoError(t, err)
	require.NoError(t, r.Delete(context.Background(), "t"))
	_, err = prod.Produce(ctx, Message{Topic: "t", Value: []byte("b")})
	require.ErrorIs(t, err, ErrUnknownTopic)
	_, err = r.Create(context.Background(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	a, err := prod.Produce(ctx, Message{Topic: "t", Value: []byte("c"), Partition: 1})
	require.NoError(t, err, "a topic created again under the name is a new topic")
	require.Equal(t, Ack{Topic: "t", Partition: 1, Offset: 0}, a)
}

func TestRegistryCloseClosesProducers(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{Linger: time.Hour})
	var ok atomic.Int32
	for range 10 {
		prod.ProduceAsync(context.Background(), Message{Topic: "t"}, func(_ Ack, err error) {
			if err == nil {
				ok.Add(1)
			}
		})
	}
	p := tp.Partitions()[0]
	require.NoError(t, r.Close())
	require.Equal(t, int32(10), ok.Load(), "Close delivered what the producer held")
	require.Equal(t, int64(10), p.HighWatermark())
	_, err = prod.Produce(context.Background(), Message{Topic: "t"})
	require.ErrorIs(t, err, ErrClosed)
	_, err = New(r, Options{})
	require.ErrorIs(t, err, ErrClosed)
}

// TestCallbackProducingDuringClose has callbacks that produce again, as a
// retry would: during Close they get ErrClosed instead of a deadlock.
func TestCallbackProducingDuringClose(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, Options{Linger: time.Hour})
	var closedErrs atomic.Int32
	for range 20 {
		prod.ProduceAsync(context.Background(), Message{Topic: "t"}, func(Ack, error) {
			prod.ProduceAsync(context.Background(), Message{Topic: "t"}, func(_ Ack, err error) {
				if errors.Is(err, ErrClosed) {
					closedErrs.Add(1)
				}
			})
		})
	}
	done := make(chan error, 2)
	go func() { done <- prod.Close() }()
	go func() { done <- prod.Close() }()
	for range 2 {
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("Close deadlocked with callbacks that produce")
		}
	}
	require.Equal(t, int32(20), closedErrs.Load())
}

// memRegistry opens a registry on a fresh in-memory filesystem, closed
// when the test ends.
func memRegistry(t *testing.T) (*vfs.MemFS, *topic.Registry) {
	t.Helper()
	m := vfs.NewMem()
	r, err := topic.Open("/data", topic.Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return m, r
}
