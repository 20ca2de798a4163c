package producer

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
)

// Callback receives the outcome of one produced message: its partition and
// offset, or the error that kept it from being acknowledged.
type Callback func(Ack, error)

// Ack says where an acknowledged message was stored.
type Ack struct {
	Topic     string
	Partition int32
	Offset    int64
}

// pendingBatch is one batch being filled by producers, or waiting to be
// written.
type pendingBatch struct {
	builder   *record.Builder
	callbacks []Callback
	memory    int64     // bytes taken from the producer's buffer
	firstAt   time.Time // when its first record arrived
}

// queue collects one partition's messages into batches and writes them.
// Producers add records under mu; one writer goroutine at a time, started
// when the queue has work and gone when it has none, takes everything
// waiting and writes it with one append, so that all the records that
// arrived during the previous write (and its fsync, when the topic is
// durable) share the next one: group commit.
type queue struct {
	prod   *Producer
	t      *topic.Topic
	topic  string
	part   *partition.Partition
	labels metrics.Labels // the topic and the partition
	limits atomic.Pointer[limits]

	mu      sync.Mutex
	open    *pendingBatch   // being filled
	full    []*pendingBatch // waiting for the writer, oldest first
	writing bool            // a writer goroutine runs
	hurry   bool            // Flush or Close wants what is here written now
	// enqueued and delivered count records added and records whose
	// callbacks have run; Flush waits for delivered to reach enqueued.
	// taken counts records handed to the writer.
	enqueued, delivered, taken int64
	// regroupAt is how many records the writer waits for before its next
	// write, if it waits (see take); zero when it does not.
	regroupAt int64
	kick      chan struct{} // wakes a lingering writer
	progress  notify.Notifier
	// writeBuf is the writer's buffer, kept across writer goroutines so
	// that it keeps the capacity it grew to.
	writeBuf []byte
}

func newQueue(p *Producer, t *topic.Topic, part *partition.Partition) *queue {
	q := &queue{
		prod: p, t: t, topic: t.Name(), part: part,
		labels: metrics.Labels{Topic: t.Name(), Partition: part.Index()},
		kick:   make(chan struct{}, 1),
	}
	q.limits.Store(newLimits(t.Config(), &p.opts))
	return q
}

// limits are what a queue takes from its topic's configuration, which
// AlterConfig may change: the queue looks again at each new batch, and
// before it refuses a record as too large.
type limits struct {
	codec        compress.Codec
	maxMessage   int   // the topic's MaxMessageBytes
	segmentBytes int64 // the topic's SegmentBytes
	// maxAlone is the most bytes a batch may take before compression so
	// that it stays within maxMessage after: maxMessage, less a margin on
	// a compressed topic.
	maxAlone int
	maxBatch int // bytes of a batch, header included, that close it
	maxWrite int // bytes of batches per append
}

func newLimits(cfg topic.Config, opts *Options) *limits {
	maxAlone := cfg.MaxMessageBytes
	if cfg.Compression != compress.None {
		// Leave room for codecs that grow incompressible data.
		maxAlone -= maxAlone / 64
	}
	return &limits{
		codec: cfg.Compression, maxMessage: cfg.MaxMessageBytes, segmentBytes: cfg.SegmentBytes,
		maxAlone: maxAlone, maxBatch: min(opts.BatchBytes, maxAlone),
		maxWrite: int(min(cfg.SegmentBytes, int64(max(opts.WriteBytes, cfg.MaxMessageBytes)))),
	}
}

// refresh reads the topic's configuration again and returns the limits
// it gives, which the queue keeps.
func (q *queue) refresh() *limits {
	cfg := q.t.Config()
	l := q.limits.Load()
	if cfg.Compression == l.codec && cfg.MaxMessageBytes == l.maxMessage && cfg.SegmentBytes == l.segmentBytes {
		return l
	}
	l = newLimits(cfg, &q.prod.opts)
	q.limits.Store(l)
	return l
}

// checkSize returns nil if a record of encoded size size fits in a batch
// of the queue's topic on its own, or the error that says it does not.
func (q *queue) checkSize(r *record.Record, size int) error {
	if record.HeaderSize+size <= q.limits.Load().maxAlone {
		return nil
	}
	// The topic's MaxMessageBytes may have been raised since.
	l := q.refresh()
	if record.HeaderSize+size <= l.maxAlone {
		return nil
	}
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return &RecordTooLargeError{Topic: q.topic, RecordBytes: n, BatchBytes: record.HeaderSize + size,
		MaxMessageBytes: l.maxMessage, Compression: l.codec}
}

// add appends one record to the open batch and makes sure a writer runs.
// size is the record's encoded size and memory what it holds of the
// producer's buffer. A record that would take the open batch past
// maxBatch closes it and starts the next one, alone if it is that large.
// add reports whether it closed a batch.
func (q *queue) add(r record.Record, size int, memory int64, cb Callback) (closed bool) {
	q.mu.Lock()
	b := q.open
	if b != nil && b.builder.Size()+size > q.limits.Load().maxBatch {
		q.full = append(q.full, b)
		b = nil
		closed = true
		q.wake()
	}
	if b == nil {
		b = q.newBatch()
		q.open = b
	}
	b.builder.Append(r)
	b.callbacks = append(b.callbacks, cb)
	b.memory += memory
	q.enqueued++
	if q.regroupAt > 0 && q.enqueued-q.taken >= q.regroupAt {
		q.wake()
	}
	start := !q.writing
	q.writing = true
	q.mu.Unlock()
	if start {
		q.prod.writers.Add(1)
		go q.write()
	}
	return closed
}

// newBatch returns an empty batch, reusing one of the producer's spares
// if there is one.
func (q *queue) newBatch() *pendingBatch {
	var b *pendingBatch
	select {
	case b = <-q.prod.spare:
	default:
		b = &pendingBatch{builder: record.NewBuilder()}
	}
	b.builder.SetCodec(q.refresh().codec)
	if q.prod.opts.Linger > 0 {
		b.firstAt = q.prod.now()
	}
	return b
}

// wake interrupts a lingering writer. Callers hold q.mu.
func (q *queue) wake() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// write is the queue's writer goroutine: it writes what is waiting until
// nothing is.
func (q *queue) write() {
	defer q.prod.writers.Done()
	var batches []*pendingBatch
	q.mu.Lock()
	buf := q.writeBuf
	q.writeBuf = nil
	q.mu.Unlock()
	var last writeRound
	for {
		batches = q.take(batches[:0], buf, last)
		if len(batches) == 0 {
			return
		}
		last = writeRound{}
		for _, b := range batches {
			last.records += int64(len(b.callbacks))
		}
		start := time.Now()
		buf = q.writeBatches(buf[:0], batches)
		last.took = time.Since(start)
	}
}

// writeRound is what the writer's previous append wrote, and how long it
// took, fsync included.
type writeRound struct {
	records int64
	took    time.Duration
}

// regroupShare bounds how long a writer waits for the producers it just
// acknowledged, as a share of its last write: at most a quarter of a
// write's time is added to a record's latency.
const regroupShare = 4

// regroup waits, briefly, for the producers the last write acknowledged
// to produce again, so that they share the next write. Producers that wait
// for their acknowledgement before sending more (Produce, durable or not)
// would otherwise split into two groups that take turns: those that came
// back before the writer took its next batch, and those that came back
// after, each group waiting for the other's write and fsync. With 64 such
// producers on a durable topic, each fsync then covers about 32 records
// instead of 64. The writer waits until, on top of the records that came
// during its last write, as many more are waiting as that write carried,
// or for a quarter of that write's time at most; never when the last
// write carried a single record, a linger is set, a flush is asked for or
// the producer is closing. Called with q.mu held; returns with it held.
func (q *queue) regroup(last writeRound) {
	if last.records < 2 || q.prod.opts.Linger > 0 {
		return
	}
	deadline := time.Now().Add(last.took / regroupShare)
	// Records that arrived during the write are here already; wait for
	// the ones its acknowledgements will bring on top of them.
	want := q.enqueued - q.taken + last.records
	for q.enqueued-q.taken < want && !q.hurry && !q.prod.draining.Load() {
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		q.regroupAt = want
		q.sleep(wait)
		q.regroupAt = 0
	}
}

// sleep releases q.mu for up to d, or until wake is called, and takes it
// again.
func (q *queue) sleep(d time.Duration) {
	q.mu.Unlock()
	t := time.NewTimer(d)
	select {
	case <-t.C:
	case <-q.kick:
		t.Stop()
	}
	q.mu.Lock()
}

// take waits out the linger time, then returns the batches to write next,
// at most maxWrite bytes of them, or none when the queue is empty: then
// the writer is gone, and leaves buf to the next one.
func (q *queue) take(batches []*pendingBatch, buf []byte, last writeRound) []*pendingBatch {
	linger := q.prod.opts.Linger
	q.mu.Lock()
	q.regroup(last)
	for linger > 0 && len(q.full) == 0 && q.open != nil && !q.hurry && !q.prod.draining.Load() {
		wait := q.open.firstAt.Add(linger).Sub(q.prod.now())
		if wait <= 0 {
			break
		}
		q.sleep(wait)
	}
	size, maxWrite := 0, q.limits.Load().maxWrite
	for len(q.full) > 0 && (len(batches) == 0 || size+q.full[0].builder.Size() <= maxWrite) {
		size += q.full[0].builder.Size()
		batches = append(batches, q.full[0])
		q.full[0] = nil
		q.full = q.full[1:]
	}
	if len(q.full) == 0 {
		q.full = q.full[:0:0]
		if q.open != nil && (len(batches) == 0 || size+q.open.builder.Size() <= maxWrite) {
			batches = append(batches, q.open)
			q.open = nil
			q.hurry = false
		}
	}
	for _, b := range batches {
		q.taken += int64(len(b.callbacks))
	}
	if len(batches) == 0 {
		q.writing = false
		q.hurry = false
		q.writeBuf = buf[:0]
	}
	q.mu.Unlock()
	return batches
}

// writeBatches encodes batches into buf, appends them to the partition in
// one call and runs their callbacks, in order.
func (q *queue) writeBatches(buf []byte, batches []*pendingBatch) []byte {
	var err error
	for _, b := range batches {
		var batch record.Batch
		if batch, err = b.builder.Build(); err != nil {
			break
		}
		buf = append(buf, batch...)
	}
	var offset int64
	if err == nil {
		var info log.AppendInfo
		info, err = q.part.Append(buf)
		offset = info.FirstOffset
	}
	n := int64(0)
	var memory int64
	for _, b := range batches {
		n += int64(len(b.callbacks))
		memory += b.memory
	}
	if err != nil {
		err = q.appendError(err)
		q.prod.opts.Logger.Warn("batch append failed", "topic", q.topic, "partition", q.part.Index(),
			"batches", len(batches), "records", n, "err", err)
	} else {
		for _, b := range batches {
			q.prod.opts.Metrics.Observe(metrics.ProducerBatchRecords, q.labels, float64(len(b.callbacks)))
		}
	}
	for _, b := range batches {
		for _, cb := range b.callbacks {
			if err != nil {
				cb(Ack{}, err)
			} else {
				cb(Ack{Topic: q.topic, Partition: q.part.Index(), Offset: offset}, nil)
			}
			offset++
		}
	}
	q.prod.memory.release(memory)
	q.prod.reportBuffer()
	for _, b := range batches {
		q.prod.recycle(b)
	}
	q.mu.Lock()
	q.delivered += n
	q.mu.Unlock()
	q.progress.Broadcast()
	return buf
}

// appendError returns err, an append's, as a *ClosedError if the
// partition refused the batch because it is closed: by the registry's
// Close, the topic's deletion or its own Close.
func (q *queue) appendError(err error) error {
	if !errors.Is(err, topic.ErrClosed) {
		return err
	}
	e := &ClosedError{Topic: q.topic, Partition: q.part.Index(), err: err}
	switch {
	case q.prod.reg.Closed():
		e.what = registryClosed
	case q.t.Closed():
		e.what = topicDeleted
	default:
		e.what = partitionClosed
	}
	return e
}

// flushTarget asks the writer to skip the linger and returns the count of
// records delivered once everything added so far is.
func (q *queue) flushTarget() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.enqueued != q.delivered {
		q.hurry = true
		q.wake()
	}
	return q.enqueued
}

// hurryUp wakes a lingering writer for good: the producer is draining.
func (q *queue) hurryUp() {
	q.mu.Lock()
	q.wake()
	q.mu.Unlock()
}

// deliveredAtLeast reports whether n records have been delivered, and
// returns a channel closed at the next delivery.
func (q *queue) deliveredAtLeast(n int64) (bool, <-chan struct{}) {
	ch := q.progress.Wait()
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.delivered >= n, ch
}
