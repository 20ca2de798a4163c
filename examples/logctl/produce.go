package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

const produceAbout = `
Produce each line of standard input to topic NAME as one record. The line,
without its "\n" or "\r\n", is the value; an empty line is an empty value.
With -key-separator S the part before the first S is the key and the rest
the value, and a line without S is refused, as Kafka's console producer
refuses it with parse.key=true. Lines may be as long as the topic's
max.message.bytes.

Without -partition a keyed record goes to the partition its key hashes to,
Kafka's murmur2 of the key modulo the partition count, so one key always
lands on one partition; records without a key fill one partition's batch at
a time.

Records are produced asynchronously, batched and group-committed. At the end
of input logctl waits for every acknowledgement and closes the registry,
which fsyncs every partition, and exits 0 if every line was stored. A line
that could not be stored is reported on stderr with its line number and the
others go on; the exit status is then 1. On SIGINT or SIGTERM it stops
reading, stores the lines read so far, and exits 1.

While it runs, a line a second on stderr says how many records were
acknowledged, their bytes (keys and values) and the rate, if stderr is a
terminal; when it ends, a line gives the totals and the average rates.

-report prints "partition offset" on stdout for each record once it is
acknowledged. The report lines of one partition come in input order, but
those of different partitions interleave as their writes complete: match
report lines to input lines by partition and order, not by position.

Durability follows the topic's flush policy (see 'topics create -sync'): an
acknowledgement normally means the record is written, not that it is on
stable storage. -sync always makes logctl fsync a partition before it
counts its records as acknowledged, one fsync covering every record
acknowledged meanwhile, so that a -report line means its record is on stable storage, as
acks=all does in Kafka. On a topic created with -sync always each append is
already fsynced and -sync always adds nothing.`

func (e *env) produce(args []string) (err error) {
	c := e.flags("produce", "produce -topic NAME [-key-separator S] [-partition P] [-report] [-sync always]", produceAbout)
	name := c.String("topic", "", "the `topic` to produce to (required)")
	sep := c.String("key-separator", "", "split each line at the first `separator`: the key before it, the value after (default: no key)")
	part := c.Int("partition", 0, "produce every record to partition `P` (default: the partition the key hashes to, as in Kafka)")
	report := c.Bool("report", false, "print \"partition offset\" for every record once acknowledged")
	syncMode := c.String("sync", "topic", "`when` a record counts as acknowledged: topic (the topic's flush policy decides) or always (after an fsync of its partition)")
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	switch {
	case *name == "":
		return c.usageErr("-topic is required")
	case *syncMode != "topic" && *syncMode != "always":
		return c.usageErr("-sync %q: want topic or always", *syncMode)
	case c.isSet("partition") && *part < 0:
		return c.usageErr("-partition %d: partitions are numbered from 0", *part)
	case c.isSet("key-separator") && *sep == "":
		return c.usageErr("-key-separator cannot be empty")
	}
	if err := c.checkName(*name); err != nil {
		return err
	}

	sigCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(sigCtx)
	defer cancel()
	reg, err := e.openRegistry(readWrite)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	t, err := reg.Topic(*name)
	if err != nil {
		if errors.Is(err, topic.ErrUnknownTopic) {
			return fmt.Errorf("%s: %w (create it with 'logctl topics create %s')", c.path, err, *name)
		}
		return cmdErr(c, err)
	}
	tmpl := producer.Message{Topic: *name}
	popts := producer.Options{}
	if c.isSet("partition") {
		index, err := partitionIndex(t, *part)
		if err == nil {
			_, err = t.Partition(index)
		}
		if err != nil {
			return cmdErr(c, err)
		}
		tmpl.Partition = index
		popts.Partitioner = producer.NewManualPartitioner()
	}
	prod, err := producer.New(reg, popts)
	if err != nil {
		return cmdErr(c, err)
	}

	var syncParts func([]int32) error
	if *syncMode == "always" && t.Config().Flush != topic.FlushAlways {
		syncParts = func(parts []int32) error {
			for _, i := range parts {
				p, err := t.Partition(i)
				if err == nil {
					err = p.Sync(context.Background()) // acknowledged records are made durable even after an interrupt
				}
				if err != nil {
					return err // it names the partition and the operation
				}
			}
			return nil
		}
	}
	prog, endProgress := e.startProgress("Produced", "records")
	defer endProgress()
	a := &acker{report: *report, keep: *report || syncParts != nil, stdout: e.stdout, stderr: e.stderr,
		progress: prog, kick: make(chan struct{}, 1), done: make(chan struct{})}
	reported := make(chan error, 1)
	go func() {
		err := a.run(syncParts)
		if err != nil {
			cancel() // stop reading: nothing more can be reported
		}
		reported <- err
	}()

	lines := &lineReader{r: bufio.NewReaderSize(e.stdin, 64<<10), limit: t.Config().MaxMessageBytes}
	var sepBytes []byte
	if *sep != "" {
		sepBytes = []byte(*sep)
	}
	readDone := make(chan error, 1)
	go func() { readDone <- a.produceLines(ctx, prod, lines, tmpl, sepBytes) }()
	var readErr error
	select {
	case readErr = <-readDone:
	case <-ctx.Done():
		// The reader may be blocked on stdin: leave it.
	}
	interrupted := sigCtx.Err() != nil
	stop() // from here on a signal kills at once
	a.stopping.Store(true)
	closeErr := prod.Close()
	close(a.done)
	reportErr := <-reported

	if err := errors.Join(readErr, closeErr, reportErr); err != nil {
		return cmdErr(c, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case interrupted:
		return fmt.Errorf("produce: interrupted: %d lines read, %d acknowledged, %d not produced", a.read, a.acked, a.read-a.acked)
	case a.failed > 0:
		return fmt.Errorf("produce: %d of %d lines not produced", a.failed, a.read)
	}
	return nil
}

// acker collects the outcomes of produced records from the producer's
// callbacks, which must not block, and reports them from its own
// goroutine (run): fsyncs under -sync always, report lines, errors.
type acker struct {
	report         bool // print acknowledgements
	keep           bool // keep acknowledgements for run: to print or to sync
	stdout, stderr io.Writer
	progress       *progress     // counts what is acknowledged
	kick           chan struct{} // an outcome arrived
	done           chan struct{} // closed once every outcome has arrived
	stopping       atomic.Bool   // interrupted: records refused by the closing producer are not failures

	mu                  sync.Mutex
	acks                []producer.Ack // acknowledged, not yet reported
	fails               []lineError    // not yet reported
	read, acked, failed int64
}

// lineError is a line that could not be produced.
type lineError struct {
	line int64
	err  error
}

// maxShownErrors bounds the failed lines reported one by one.
const maxShownErrors = 10

// callback returns the callback of the record of line, of size bytes
// of key and value.
func (a *acker) callback(line, size int64) producer.Callback {
	return func(ack producer.Ack, err error) {
		a.mu.Lock()
		switch {
		case err == nil:
			a.acked++
			a.progress.add(1, size)
			if a.keep {
				a.acks = append(a.acks, ack)
			}
		case a.stopping.Load() && (errors.Is(err, producer.ErrClosed) || errors.Is(err, context.Canceled)):
			// Refused while stopping on a signal: counted as not produced.
		default:
			a.failed++
			a.fails = append(a.fails, lineError{line, err})
		}
		a.mu.Unlock()
		a.wake()
	}
}

// fail records a line that is not produced at all.
func (a *acker) fail(line int64, err error) {
	a.mu.Lock()
	a.failed++
	a.fails = append(a.fails, lineError{line, err})
	a.mu.Unlock()
	a.wake()
}

func (a *acker) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// run reports outcomes as they arrive until done is closed and the last
// are reported: it fsyncs the partitions of new acknowledgements with
// sync, if not nil, then prints them (with -report); failed lines go to
// stderr.
func (a *acker) run(sync func([]int32) error) error {
	w := bufio.NewWriter(a.stdout)
	var acks []producer.Ack
	var fails []lineError
	var parts []int32
	var line []byte
	shown := 0
	for finished := false; !finished; {
		select {
		case <-a.kick:
		case <-a.done:
			finished = true
		}
		a.mu.Lock()
		acks, a.acks = a.acks, acks[:0]
		fails, a.fails = a.fails, fails[:0]
		a.mu.Unlock()

		for _, f := range fails {
			if shown++; shown <= maxShownErrors {
				fmt.Fprintf(a.stderr, "logctl: produce: line %d: %v\n", f.line, f.err)
			} else if shown == maxShownErrors+1 {
				fmt.Fprintf(a.stderr, "logctl: produce: more lines failed; not shown\n")
			}
		}
		if sync != nil && len(acks) > 0 {
			parts = parts[:0]
			for _, ack := range acks {
				if !slices.Contains(parts, ack.Partition) {
					parts = append(parts, ack.Partition)
				}
			}
			if err := sync(parts); err != nil {
				return err
			}
		}
		if a.report && len(acks) > 0 {
			for _, ack := range acks {
				line = strconv.AppendInt(line[:0], int64(ack.Partition), 10)
				line = append(line, ' ')
				line = strconv.AppendInt(line, ack.Offset, 10)
				line = append(line, '\n')
				w.Write(line)
			}
			if err := w.Flush(); err != nil {
				return fmt.Errorf("writing the report: %w", err)
			}
		}
	}
	return nil
}

// produceLines produces every line lines reads until the end of input, an
// error, or ctx's end.
func (a *acker) produceLines(ctx context.Context, prod *producer.Producer, lines *lineReader, tmpl producer.Message, sep []byte) error {
	for n := int64(1); ctx.Err() == nil; n++ {
		b, size, err := lines.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
		a.mu.Lock()
		a.read++
		a.mu.Unlock()
		if size > lines.limit {
			a.fail(n, fmt.Errorf("longer than the topic's max.message.bytes of %d", lines.limit))
			continue
		}
		m := tmpl
		m.Value = b
		if sep != nil {
			key, value, ok := bytes.Cut(b, sep)
			if !ok {
				a.fail(n, fmt.Errorf("no key separator %q in the line", sep))
				continue
			}
			m.Key, m.Value = key, value
		}
		if m.Value == nil {
			m.Value = []byte{} // an empty line is an empty value, not a tombstone
		}
		prod.ProduceAsync(ctx, m, a.callback(n, int64(len(m.Key)+len(m.Value))))
	}
	return nil
}

// lineReader reads lines of any length, keeping at most limit bytes of
// each (longer ones cannot be produced anyway).
type lineReader struct {
	r     *bufio.Reader
	limit int
	buf   []byte
}

// next returns the next line without its "\n" or "\r\n", and its length.
// A line longer than the limit is not kept whole: its length is then only
// known to be over the limit. The line is valid until the next call. next
// returns io.EOF after the last line, which may lack its "\n".
func (lr *lineReader) next() ([]byte, int, error) {
	lr.buf = lr.buf[:0]
	size, whole := 0, true
	for {
		chunk, err := lr.r.ReadSlice('\n')
		size += len(chunk)
		if err == nil && size == len(chunk) {
			// The common case: the line is whole in the reader's buffer.
			line := trimEOL(chunk)
			return line, len(line), nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, io.EOF) {
			return nil, 0, err
		}
		if whole && len(lr.buf)+len(chunk) <= lr.limit+2 {
			lr.buf = append(lr.buf, chunk...)
		} else {
			whole = false
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && size == 0 {
			return nil, 0, io.EOF
		}
		if !whole {
			return nil, size, nil
		}
		line := trimEOL(lr.buf)
		return line, len(line), nil
	}
}

// trimEOL cuts "\n" or "\r\n" off the end of line.
func trimEOL(line []byte) []byte {
	if line, ok := bytes.CutSuffix(line, []byte("\n")); ok {
		line, _ = bytes.CutSuffix(line, []byte("\r"))
		return line
	}
	return line
}
