package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/commitlog-go/commitlog/topic"
)

const consumeAbout = `
Print the records of topic NAME on stdout, one value per line, as Kafka's
console consumer does: from the end (only records produced from now on)
unless -from-beginning or -offset says otherwise, waiting for new records
until -max records were printed, no record arrived for -timeout, or SIGINT
or SIGTERM; each of these ends it with status 0.

Without -partition every partition is read, their records interleaved (in
offset order within each partition); with it only partition P. -offset N
starts partition P at offset N, so it needs -partition; an offset below
the partition's log start starts there.

Each line is the value, preceded with -print-key by the key and a tab, and
with -print-offset by "partition offset" and a tab:

  0 41<TAB>user-7<TAB>signed up        (-print-offset -print-key)

A missing key or value (a tombstone) prints as null. Values are printed as
they are: a value holding a newline spans two lines. When it ends, the
count of records is printed on stderr.

A registry is open in one process at a time, so consume cannot follow a
produce running in another process: it reads what is stored, then waits in
vain. To read what is there, use -from-beginning (or -offset) with -timeout
or -max.`

func (e *env) consume(args []string) (err error) {
	c := e.flags("consume", "consume -topic NAME [-from-beginning | -offset N] [-partition P] [-max N] [-timeout D] [-print-key] [-print-offset]", consumeAbout)
	name := c.String("topic", "", "the `topic` to read (required)")
	fromBeginning := c.Bool("from-beginning", false, "start at the first record each partition holds (default: at the end, as Kafka's console consumer)")
	offset := c.Int64("offset", 0, "start at offset `N` of the partition -partition names")
	part := c.Int("partition", 0, "read only partition `P` (default: every partition)")
	maxRecords := c.Int64("max", 0, "stop after `N` records (default 0: no limit)")
	timeout := c.Duration("timeout", 0, "stop once no record arrived for this `duration`, like 5s (default 0: wait forever)")
	printKey := c.Bool("print-key", false, "print each record's key and a tab before its value")
	printOffset := c.Bool("print-offset", false, "print each record's \"partition offset\" and a tab first")
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	switch {
	case *name == "":
		return c.usageErr("-topic is required")
	case c.isSet("offset") && !c.isSet("partition"):
		return c.usageErr("-offset needs -partition: offsets are per partition")
	case c.isSet("offset") && *fromBeginning:
		return c.usageErr("-offset and -from-beginning exclude each other")
	case *offset < 0:
		return c.usageErr("-offset %d: offsets start at 0", *offset)
	case *part < 0:
		return c.usageErr("-partition %d: partitions are numbered from 0", *part)
	case *maxRecords < 0:
		return c.usageErr("-max %d cannot be negative", *maxRecords)
	case *timeout < 0:
		return c.usageErr("-timeout %v cannot be negative", *timeout)
	}
	if err := c.checkName(*name); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	reg, err := e.openRegistry(false)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	t, err := reg.Topic(*name)
	if err != nil {
		return fmt.Errorf("consuming %s: %w", *name, err)
	}
	opts := topic.ReaderOptions{Start: topic.Latest()}
	switch {
	case *fromBeginning:
		opts.Start = topic.Earliest()
	case c.isSet("offset"):
		opts.Start = topic.AtOffset(*offset)
	}
	var next func(context.Context) (*topic.Record, error)
	if c.isSet("partition") {
		r, err := t.NewPartitionReader(*part, opts)
		if err != nil {
			return fmt.Errorf("consuming %s: %w", *name, err)
		}
		next = r.Next
	} else {
		r, err := t.NewReader(opts)
		if err != nil {
			return fmt.Errorf("consuming %s: %w", *name, err)
		}
		next = r.Next
	}

	w := bufio.NewWriterSize(e.stdout, 64<<10)
	var n int64
	var line []byte
	for *maxRecords == 0 || n < *maxRecords {
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if *timeout > 0 {
			rctx, cancel = context.WithTimeout(ctx, *timeout)
		}
		rec, err := next(rctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil || (*timeout > 0 && errors.Is(err, context.DeadlineExceeded)) {
				break // a signal, or -timeout: a normal end
			}
			w.Flush()
			return fmt.Errorf("consuming %s: %w", *name, err)
		}
		n++
		line = line[:0]
		if *printOffset {
			line = strconv.AppendInt(line, int64(rec.Partition), 10)
			line = append(line, ' ')
			line = strconv.AppendInt(line, rec.Offset, 10)
			line = append(line, '\t')
		}
		if *printKey {
			line = appendNullable(line, rec.Key)
			line = append(line, '\t')
		}
		line = appendNullable(line, rec.Value)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return fmt.Errorf("writing: %w", err)
		}
		// Flush before the reader may block: once this partition has no
		// more committed records, so that a tail is seen as it arrives.
		if caughtUp(t, rec) {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("writing: %w", err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	fmt.Fprintf(e.stderr, "Processed a total of %d messages\n", n)
	return nil
}

// appendNullable appends b, or null for nil, as Kafka's console consumer
// prints a missing key or a tombstone.
func appendNullable(line, b []byte) []byte {
	if b == nil {
		return append(line, "null"...)
	}
	return append(line, b...)
}

// caughtUp reports whether rec is the last committed record of its
// partition, so that the next read of it would wait.
func caughtUp(t *topic.Topic, rec *topic.Record) bool {
	p, err := t.Partition(int(rec.Partition))
	return err != nil || rec.Offset+1 >= p.HighWatermark()
}
