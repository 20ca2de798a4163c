package producer

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
)

// Options configure a producer. The zero value of every field means its
// default; New copies them.
type Options struct {
	// Partitioner chooses the partition of each message. Default
	// NewDefaultPartitioner(): Kafka's murmur2 of the key, and sticky
	// batches for messages without a key. NewManualPartitioner() sends
	// each message to its Partition.
	Partitioner Partitioner
	// BatchBytes is the most bytes of encoded records a batch collects
	// before it is closed (batch.size). The topic's MaxMessageBytes caps
	// it; a record larger than BatchBytes but within MaxMessageBytes goes
	// in a batch of its own. Default 256 KiB.
	BatchBytes int
	// WriteBytes is the most bytes of batches one append writes, when many
	// are waiting. Default 4 MiB.
	WriteBytes int
	// Linger is how long a batch may wait for more records before it is
	// written (linger.ms). Default 0: a batch is written as soon as the
	// partition's previous write is done, so batches grow with the load
	// and an idle producer adds no latency.
	Linger time.Duration
	// BufferBytes bounds the memory held by records not yet acknowledged
	// (buffer.memory). Default 32 MiB.
	BufferBytes int64
	// FailWhenFull makes a produce into a full buffer fail at once with
	// ErrBufferFull. Default false: it waits for room until its context
	// ends.
	FailWhenFull bool
	// Logger receives a line for each batch that failed to append (Warn,
	// with its topic, partition, record count and error). Default nil:
	// discard.
	Logger *slog.Logger
	// Metrics receives metrics.ProducerBufferBytes (Labels{}: the buffer
	// is the producer's, shared by its topics), set once per batch rather
	// than per record: when a batch is closed, when a write gives back
	// its batches' memory, and when a produce finds the buffer full; and
	// metrics.ProducerBatchRecords for each batch appended, labelled with
	// its topic and partition. Producers that share a collector share the
	// gauge. Default nil: discard.
	Metrics metrics.Collector
}

// Defaults of Options.
const (
	DefaultBatchBytes  = 256 << 10
	DefaultWriteBytes  = 4 << 20
	DefaultBufferBytes = 32 << 20
)

// Producer sends messages to a registry's topics from many goroutines. It
// collects each partition's messages into batches, compressed with the
// topic's codec, and writes all the batches waiting for a partition with
// one append and, on a durable topic, one fsync: group commit.
//
// Every message gets exactly one outcome: ProduceAsync's callback is called
// once, with the message's offset or with an error, also when the
// producer or the registry is closed. Messages to one partition are
// written, and their callbacks called, in the order they were produced.
// Callbacks run on the producer's writer goroutines and must not block:
// hand slow work to another goroutine.
type Producer struct {
	reg    *topic.Registry
	opts   Options
	now    func() time.Time
	memory memoryLimit
	// reportMu orders the reads of the memory held with the gauge sets
	// that report them, so that the last value set is the latest.
	reportMu sync.Mutex

	// closed refuses new produces; active counts produces under way, and
	// idle wakes Close when the last of them ends, so that no produce
	// slips in after Close has begun. (A callback that produces during
	// Close gets ErrClosed rather than a deadlock.)
	closed  atomic.Bool
	active  atomic.Int64
	idle    notify.Notifier
	writers sync.WaitGroup
	// closeOnce runs Close's work once; closeErr is its result.
	closeOnce sync.Once
	closeErr  error
	// spare holds emptied batches for reuse, so that their builders and
	// callback slices keep the capacity they grew to. Its capacity bounds
	// what it keeps to about the buffer size, as Kafka's producer keeps
	// its buffer memory.
	spare chan *pendingBatch
	// draining makes writers skip the linger time from the moment Close
	// begins, so that produces waiting for buffer room get it.
	draining atomic.Bool

	// queues maps a topic to its partitions' queues; the map is replaced
	// on change (mu), read without a lock.
	mu     sync.Mutex
	queues atomic.Pointer[map[*topic.Topic]*topicQueues]
	// unregister removes the producer from the registry's close hooks.
	unregister func()
}

// topicQueues are the queues of one topic's partitions.
type topicQueues struct {
	mu     sync.Mutex
	queues atomic.Pointer[[]*queue]
}

// New returns a producer for the registry's topics. The registry's Close
// closes it, delivering what it holds, unless it was closed before.
func New(reg *topic.Registry, opts Options) (*Producer, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	p := &Producer{reg: reg, opts: opts, now: reg.Now}
	p.spare = make(chan *pendingBatch, opts.BufferBytes/int64(opts.BatchBytes)+1)
	p.memory.limit = opts.BufferBytes
	p.queues.Store(&map[*topic.Topic]*topicQueues{})
	var err error
	if p.unregister, err = reg.OnClose(p.Close); err != nil {
		if errors.Is(err, topic.ErrClosed) {
			return nil, &ClosedError{Partition: -1, what: registryClosed}
		}
		return nil, err
	}
	return p, nil
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Partitioner == nil {
		o.Partitioner = NewDefaultPartitioner()
	}
	if o.BatchBytes == 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.WriteBytes == 0 {
		o.WriteBytes = DefaultWriteBytes
	}
	if o.BufferBytes == 0 {
		o.BufferBytes = DefaultBufferBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Metrics = metrics.OrDiscard(o.Metrics)
	return o
}

// validate checks defaulted options.
func (o Options) validate() error {
	for _, f := range []struct {
		name     string
		value    any
		negative bool
	}{
		{"BatchBytes", o.BatchBytes, o.BatchBytes < 0},
		{"WriteBytes", o.WriteBytes, o.WriteBytes < 0},
		{"BufferBytes", o.BufferBytes, o.BufferBytes < 0},
		{"Linger", o.Linger, o.Linger < 0},
	} {
		if f.negative {
			return errorf(ErrInvalidConfig, "producer: Options.%s is negative (%v)", f.name, f.value)
		}
	}
	return nil
}

// Produce sends m and waits for its acknowledgement: its record is written
// and, on a durable topic, on stable storage. If ctx ends first, Produce
// returns ctx's error, and the message may still be written.
//
// Errors: a *RecordTooLargeError, ErrBufferFull, ErrUnknownTopic,
// ErrUnknownPartition, a *ClosedError (ErrClosed when the producer was
// closed, topic.ErrClosed when the registry or the topic was), ctx's, and
// the partition's append errors.
func (p *Producer) Produce(ctx context.Context, m Message) (Ack, error) {
	type outcome struct {
		ack Ack
		err error
	}
	done := make(chan outcome, 1)
	p.ProduceAsync(ctx, m, func(a Ack, err error) { done <- outcome{a, err} })
	select {
	case o := <-done:
		return o.ack, o.err
	case <-ctx.Done():
		return Ack{}, ctx.Err()
	}
}

// ProduceAsync sends m and calls cb with its outcome once it is
// acknowledged or has failed. It returns once the message is encoded into
// a batch, so the caller may reuse m's slices at once. When the buffer is
// full it waits for room until ctx ends (then cb gets ctx's error), or
// fails at once with ErrBufferFull if the options say so. cb may be nil.
func (p *Producer) ProduceAsync(ctx context.Context, m Message, cb Callback) {
	if cb == nil {
		cb = func(Ack, error) {}
	}
	p.active.Add(1)
	defer p.produceDone()
	if p.closed.Load() {
		cb(Ack{}, p.closedError(m.Topic))
		return
	}
	q, err := p.queueFor(&m)
	if err != nil {
		cb(Ack{}, err)
		return
	}
	rec := record.Record{Key: m.Key, Value: m.Value, Headers: m.Headers}
	if m.Time.IsZero() {
		rec.Timestamp = p.now().UnixMilli()
	} else {
		rec.Timestamp = m.Time.UnixMilli()
	}
	size := record.MaxEncodedSize(&rec)
	if err := q.checkSize(&rec, size); err != nil {
		cb(Ack{}, err)
		return
	}
	memory := int64(size) + recordMemoryOverhead
	if err := p.memory.acquire(ctx, memory, p.opts.FailWhenFull); err != nil {
		if errors.Is(err, ErrBufferFull) {
			p.reportBuffer()
			err = errorf(ErrBufferFull, "producer: buffer full: records not yet acknowledged hold %d of the %d bytes of Options.BufferBytes, and this one needs %d more",
				p.memory.used.Load(), p.memory.limit, memory)
		}
		cb(Ack{}, err)
		return
	}
	if q.add(rec, size, memory, cb) {
		p.reportBuffer()
	}
}

// reportBuffer sets the ProducerBufferBytes gauge to the memory held now.
func (p *Producer) reportBuffer() {
	if p.opts.Metrics == metrics.Discard {
		return
	}
	p.reportMu.Lock()
	p.opts.Metrics.Set(metrics.ProducerBufferBytes, metrics.Labels{}, float64(p.memory.used.Load()))
	p.reportMu.Unlock()
}

// produceDone ends a produce, waking Close if it was the last one.
func (p *Producer) produceDone() {
	if p.active.Add(-1) == 0 && p.closed.Load() {
		p.idle.Broadcast()
	}
}

// recordMemoryOverhead is what a buffered record costs beyond its bytes:
// its callback's slot and a share of its batch.
const recordMemoryOverhead = 16

// queueFor returns the queue of the partition m goes to.
func (p *Producer) queueFor(m *Message) (*queue, error) {
	t, err := p.reg.Topic(m.Topic)
	if err != nil {
		if errors.Is(err, topic.ErrClosed) {
			return nil, p.closedError(m.Topic)
		}
		return nil, err
	}
	n := t.NumPartitions()
	idx := p.opts.Partitioner.Partition(*m, n)
	if idx < 0 || idx >= n {
		return nil, errorf(ErrUnknownPartition, "producer: topic %q has no partition %d (it has %d)", t.Name(), idx, n)
	}
	tq := (*p.queues.Load())[t]
	if tq == nil {
		tq = p.addTopic(t)
	}
	if qs := *tq.queues.Load(); int(idx) < len(qs) {
		return qs[idx], nil
	}
	return p.growTopic(t, tq, int(n))[idx], nil
}

// addTopic makes the queues of a topic the producer has not sent to yet.
func (p *Producer) addTopic(t *topic.Topic) *topicQueues {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := *p.queues.Load()
	if tq := old[t]; tq != nil {
		return tq
	}
	tq := &topicQueues{}
	tq.queues.Store(&[]*queue{})
	m := make(map[*topic.Topic]*topicQueues, len(old)+1)
	for k, v := range old {
		if !k.Closed() { // forget deleted topics
			m[k] = v
		}
	}
	m[t] = tq
	p.queues.Store(&m)
	return tq
}

// growTopic makes queues for partitions added to a topic since.
func (p *Producer) growTopic(t *topic.Topic, tq *topicQueues, n int) []*queue {
	tq.mu.Lock()
	defer tq.mu.Unlock()
	qs := *tq.queues.Load()
	if len(qs) >= n {
		return qs
	}
	grown := append([]*queue(nil), qs...)
	parts := t.Partitions()
	for i := len(qs); i < n && i < len(parts); i++ {
		grown = append(grown, newQueue(p, t, parts[i]))
	}
	tq.queues.Store(&grown)
	return grown
}

// Flush waits until every message produced before it was called has its
// outcome, skipping the linger time, or until ctx ends.
func (p *Producer) Flush(ctx context.Context) error {
	type target struct {
		q *queue
		n int64
	}
	var targets []target
	p.forEachQueue(func(q *queue) { targets = append(targets, target{q, q.flushTarget()}) })
	for _, t := range targets {
		for {
			done, changed := t.q.deliveredAtLeast(t.n)
			if done {
				break
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// recycle empties a written batch and keeps it for reuse if there is
// room among the spares.
func (p *Producer) recycle(b *pendingBatch) {
	clear(b.callbacks)
	b.callbacks = b.callbacks[:0]
	b.memory = 0
	b.builder.Reset()
	select {
	case p.spare <- b:
	default:
	}
}

// forEachQueue calls fn for every queue the producer has made.
func (p *Producer) forEachQueue(fn func(*queue)) {
	for _, tq := range *p.queues.Load() {
		for _, q := range *tq.queues.Load() {
			fn(q)
		}
	}
}

// Close stops taking messages (later produces fail with a *ClosedError
// that is ErrClosed), writes every message it holds, calls their
// callbacks, and waits for its writer goroutines to end. Close is
// idempotent; concurrent calls all wait for the first to finish.
func (p *Producer) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.close() })
	return p.closeErr
}

func (p *Producer) close() error {
	p.draining.Store(true)
	p.forEachQueue((*queue).hurryUp)
	p.closed.Store(true)
	for {
		idle := p.idle.Wait()
		if p.active.Load() == 0 {
			break
		}
		<-idle
	}
	err := p.Flush(context.Background())
	p.writers.Wait()
	p.unregister()
	return err
}
