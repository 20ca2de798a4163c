package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/consumer/group"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
)

const consumeAbout = `
Print the records of topic NAME on stdout, one value per line, as Kafka's
console consumer does: from the end (only records produced from now on)
unless -from-beginning, -offset or -group says otherwise, waiting for new
records until -max records were printed, no record arrived for -timeout,
or SIGINT or SIGTERM; each of these ends it with status 0.

Without -partition every partition is read, their records interleaved (in
offset order within each partition); with it only partition P. -offset N
starts partition P at offset N, so it needs -partition; an offset below
the partition's log start starts there.

Each line is the value, preceded with -print-key by the key and a tab, and
with -print-offset by "partition offset" and a tab:

  0 41<TAB>user-7<TAB>signed up        (-print-offset -print-key)

A missing key or value (a tombstone) prints as null. Values are printed as
they are: a value holding a newline spans two lines. While it runs, a line
a second on stderr says how far it got, if stderr is a terminal; when it
ends, the count of records, their bytes (keys and values) and the rates
are printed on stderr.

-group G reads as a member of consumer group G: each partition starts at
the offset the group committed there; where it committed none, at the end,
or at the first record with -from-beginning. When it ends (on -max,
-timeout or a signal) it commits, for each partition, the offset after the
last record it wrote to stdout, so that the next consume -group G goes on
from there: two runs with -max 3 print six records, none twice. Partitions
it printed nothing from are committed where they started: for a new group
without -from-beginning their end at the time, so that the next run prints
what was produced in between. After an error it commits only after the
records it printed. The group decides the partitions, so -group excludes
-offset and -partition. 'groups list' and 'groups describe G' show the
groups and their lag.

Without -group, consume writes nothing and takes no lock on the registry:
it runs beside a produce in another process, and reads the records stored
when it starts (on a topic whose flush.policy is always, those its writer
has recorded as synced; all of them once the writer has closed), then
waits in vain for more: use -from-beginning (or -offset) with -timeout or
-max. consume -group commits offsets, so it locks the registry: two
members of one group cannot run at once, and a run of consume -group is
the group's only member, and reads every partition.`

func (e *env) consume(args []string) (err error) {
	c := e.flags("consume", "consume -topic NAME [-group G] [-from-beginning | -offset N] [-partition P] [-max N] [-timeout D] [-print-key] [-print-offset]", consumeAbout)
	name := c.String("topic", "", "the `topic` to read (required)")
	groupName := c.String("group", "", "read as a member of consumer group `G`: start at its committed offsets, commit what was printed when it ends")
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
	case c.isSet("group") && *groupName == "":
		return c.usageErr("-group needs a name")
	case *groupName != "" && (c.isSet("offset") || c.isSet("partition")):
		return c.usageErr("-group excludes -offset and -partition: the group assigns the partitions, and its committed offsets say where each starts")
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
	// Without a group, consume writes nothing: it reads the registry as
	// it is, while a produce may hold it in another process.
	mode := readOnly
	if *groupName != "" {
		mode = readWrite
	}
	reg, err := e.openRegistry(mode)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	t, err := reg.Topic(*name)
	if err != nil {
		return cmdErr(c, err)
	}
	opts := consumer.Options{Start: consumer.Latest()}
	switch {
	case *fromBeginning:
		opts.Start = consumer.Earliest()
	case c.isSet("offset"):
		opts.Start = consumer.AtOffset(*offset)
	}
	var next func(context.Context) (*consumer.Record, error)
	var member *group.Member
	switch {
	case *groupName != "":
		var groups *group.Coordinator
		if groups, err = openGroups(reg); err != nil {
			return err
		}
		// The group's committed offsets decide; opts.Start is only where
		// it committed none (Kafka's auto.offset.reset).
		member, err = groups.Join(*groupName, group.MemberOptions{Topics: []string{*name}, ManualCommit: true, Start: opts.Start})
		if errors.Is(err, group.ErrInvalidGroup) {
			return c.usageErr("-group: %w", err)
		}
		if err != nil {
			return cmdErr(c, fmt.Errorf("joining group %q: %w", *groupName, err))
		}
		// Deferred after closeRegistry, so it runs before it. With
		// manual commits Close commits nothing: finishGroup has.
		defer func() {
			if cerr := member.Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("leaving group %s: %w", *groupName, cerr))
			}
		}()
		next = member.Poll
	case c.isSet("partition"):
		index, err := partitionIndex(t, *part)
		if err != nil {
			return cmdErr(c, err)
		}
		r, err := consumer.NewPartitionReader(t, index, opts)
		if err != nil {
			return cmdErr(c, err)
		}
		next = r.Next
	default:
		r, err := consumer.NewTopicReader(t, opts)
		if err != nil {
			return cmdErr(c, err)
		}
		next = r.Next
	}

	prog, endProgress := e.startProgress("Processed", "messages")
	defer endProgress() // after the error, if any, is known; before it is printed
	// out counts what reached stdout: with -group a record counts as
	// printed, and is committed, only once all of its line did.
	out := &printTracker{w: e.stdout, printed: map[int32]int64{}}
	w := bufio.NewWriterSize(out, 64<<10)
	var n int64
	var line []byte
	var failure error // ends the loop; what was printed is still committed
	for *maxRecords == 0 || n < *maxRecords {
		if ctx.Err() != nil {
			// A signal: the readers return what they hold before they
			// look at ctx, so a backlog would otherwise be printed whole.
			break
		}
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
			failure = cmdErr(c, err)
			break
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
			failure = fmt.Errorf("writing: %w", err)
			break
		}
		out.buffered(rec, len(line))
		prog.add(1, int64(len(rec.Key)+len(rec.Value)))
		// Flush before the reader may block: once this partition has no
		// more committed records, so that a tail is seen as it arrives.
		if caughtUp(t, rec) {
			if err := w.Flush(); err != nil {
				failure = fmt.Errorf("writing: %w", err)
				break
			}
		}
	}
	// A second signal kills: the flush may block on a stdout nobody
	// reads, and then nothing is committed.
	stop()
	if err := w.Flush(); err != nil && failure == nil {
		failure = fmt.Errorf("writing: %w", err)
	}
	if member != nil {
		if err := finishGroup(member, *groupName, *name, out, failure == nil); err != nil {
			failure = errors.Join(failure, err)
		}
	}
	return failure
}

// finishGroup commits group's position after what consume printed. After
// a clean end, every record Poll returned is on stdout, and the member
// commits its positions, those of partitions it printed nothing from
// included. After a failure (of reading, or of writing stdout, which may
// have left records in the buffer or half written) it commits, for each
// partition, the offset after the last record whose whole line reached
// stdout. Both are the member's commits, refused if the group has given
// the partitions to another member meanwhile.
func finishGroup(m *group.Member, groupName, topicName string, out *printTracker, clean bool) error {
	var err error
	if clean {
		err = m.Commit(context.Background()) // not the signal's context: a signal ends consume with a commit
	} else if commits := out.commits(topicName); len(commits) > 0 {
		err = m.CommitOffsets(context.Background(), commits...)
	}
	if err != nil {
		return fmt.Errorf("committing the offsets of group %s: %w (its next consume prints again what this one printed)", groupName, err)
	}
	return nil
}

// printTracker is stdout as consume's buffer writes to it: it counts the
// bytes that reached it, and so knows which records were printed whole.
type printTracker struct {
	w       io.Writer
	written int64 // bytes stdout took
	queued  int64 // bytes handed to the buffer
	// pending are records in the buffer, in order, the end of each
	// record's line as a count of bytes.
	pending []pendingRecord
	printed map[int32]int64 // partition: the offset after its last printed record
}

type pendingRecord struct {
	partition int32
	offset    int64
	end       int64
}

func (p *printTracker) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.written += int64(n)
	p.settle()
	return n, err
}

// buffered notes that rec's line, n bytes, went into the buffer.
func (p *printTracker) buffered(rec *consumer.Record, n int) {
	p.queued += int64(n)
	p.pending = append(p.pending, pendingRecord{rec.Partition, rec.Offset, p.queued})
	p.settle() // a line longer than the buffer is written at once
}

// settle moves the records whose lines reached stdout to printed.
func (p *printTracker) settle() {
	i := 0
	for ; i < len(p.pending) && p.pending[i].end <= p.written; i++ {
		p.printed[p.pending[i].partition] = p.pending[i].offset + 1
	}
	if i > 0 {
		p.pending = p.pending[:copy(p.pending, p.pending[i:])]
	}
}

// commits are the offsets after the printed records of topic name, the
// one consume reads, by partition.
func (p *printTracker) commits(name string) []offsets.Commit {
	var cs []offsets.Commit
	for part, next := range p.printed {
		cs = append(cs, offsets.Commit{Topic: name, Partition: part, Offset: next})
	}
	return cs
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
func caughtUp(t *topic.Topic, rec *consumer.Record) bool {
	p, err := t.Partition(rec.Partition)
	return err != nil || rec.Offset+1 >= p.HighWatermark()
}
