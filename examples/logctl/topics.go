package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/topic"
)

const topicsAbout = `
Manage the topics of the registry in -dir.

Commands:
  topics create NAME [flags]   create a topic; 'logctl topics create -h' lists its settings
  topics list                  print the topics' names, one per line, sorted
  topics describe [NAME]       print a topic's settings (by Kafka's names) and, per
                               partition, its log start, high watermark, log end, size
                               and segment count; every topic without NAME
  topics alter NAME [flags]    change a topic's settings, by Kafka's names:
                               -set retention.ms=-1 -delete segment.bytes
  topics delete NAME           delete a topic and every record in it

Topic names follow Kafka's rules: 1 to 249 characters of [a-zA-Z0-9._-],
not "." or "..".`

// topics dispatches the topics subcommands.
func (e *env) topics(args []string) error {
	return e.runSubcommand("topics", topicsAbout, args, []subcommand{
		{"create", e.topicsCreate}, {"list", e.topicsList}, {"describe", e.topicsDescribe},
		{"alter", e.topicsAlter}, {"delete", e.topicsDelete},
	})
}

const createAbout = `
Create topic NAME, its metadata and one directory of segments per partition.
Every setting not given takes Kafka's default; 'topics describe' shows them
all. Sizes take an optional suffix: K/KiB, M/MiB, G/GiB (all binary).`

func (e *env) topicsCreate(args []string) (err error) {
	c := e.flags("topics create", "topics create NAME [-partitions N] [flags]", createAbout)
	partitions := c.Int("partitions", 1, "the `number` of partitions")
	var retention retentionValue
	c.Var(&retention, "retention", "delete segments whose records are all older than this `duration`, retention.ms: like 168h, or -1 to keep records forever (default 168h)")
	retentionBytes := sizeValue{noLimit: true}
	c.Var(&retentionBytes, "retention-bytes", "delete a partition's oldest segments while it would still hold this many `bytes` without them, retention.bytes (default -1: no limit)")
	var segmentBytes sizeValue
	c.Var(&segmentBytes, "segment-bytes", "roll a new segment file at this `size`, segment.bytes, at most 2GiB (default 1GiB)")
	segmentAge := c.Duration("segment-age", 0, "roll a new segment once its records span this `duration`, segment.ms (default 168h)")
	segmentJitter := c.Duration("segment-jitter", 0, "shorten each segment's age limit by a random duration below this `duration`, segment.jitter.ms (default 0)")
	var codec compress.Codec
	c.TextVar(&codec, "compression", compress.None, "compress batches with `codec` none, gzip, snappy, lz4 or zstd, compression.type")
	var flush topic.FlushPolicy
	c.TextVar(&flush, "sync", topic.FlushNever, "when partitions fsync, the flush `policy`: never (Kafka's default: the OS writes pages back; closing the registry fsyncs), every-n (every -flush-messages records), interval (every -flush-interval), always (every append, and a produce is acknowledged, and a record readable, only once it is on stable storage; concurrent appends share one fsync)")
	flushMessages := c.Int64("flush-messages", 0, "the `count` of records between fsyncs under -sync every-n, flush.messages (default 10000)")
	flushInterval := c.Duration("flush-interval", 0, "the `period` of fsyncs under -sync interval, flush.ms (default 1s)")
	var maxMessage sizeValue
	c.Var(&maxMessage, "max-message-bytes", "the largest batch a partition accepts, in `bytes`, max.message.bytes (default 1MiB+12)")
	var tsType timestampTypeValue
	c.Var(&tsType, "timestamp-type", "the timestamp `type` of records: CreateTime (the producer's clock) or LogAppendTime (the log's), message.timestamp.type (default CreateTime)")
	ifNotExists := c.Bool("if-not-exists", false, "succeed without changing anything if the topic exists")
	name, err := c.parseName(args, false)
	if err != nil {
		return err
	}
	switch {
	case *partitions < 1:
		return c.usageErr("-partitions %d: a topic needs at least 1", *partitions)
	case *partitions > math.MaxInt32:
		return c.usageErr("-partitions %d: too many", *partitions)
	case *segmentAge < 0 || *segmentJitter < 0 || *flushInterval < 0 || *flushMessages < 0:
		return c.usageErr("-segment-age, -segment-jitter, -flush-interval and -flush-messages cannot be negative")
	}
	cfg := topic.Config{
		Partitions:      int32(*partitions),
		SegmentBytes:    segmentBytes.n,
		SegmentAge:      *segmentAge,
		SegmentJitter:   *segmentJitter,
		RetentionAge:    retention.d,
		RetentionBytes:  max(retentionBytes.n, 0),
		Compression:     codec,
		Flush:           flush,
		FlushRecords:    *flushMessages,
		FlushInterval:   *flushInterval,
		MaxMessageBytes: int(maxMessage.n),
		TimestampType:   tsType.t,
	}
	if maxMessage.n > 1<<31 {
		return c.usageErr("-max-message-bytes %d: at most 2GiB", maxMessage.n)
	}

	reg, err := e.openRegistry(createRegistry)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	ctx := context.Background()
	var t *topic.Topic
	if *ifNotExists {
		var created bool
		if t, created, err = reg.CreateIfNotExists(ctx, name, cfg); err == nil && !created {
			return nil
		}
	} else {
		t, err = reg.Create(ctx, name, cfg)
	}
	if err != nil {
		return cmdErr(c, err)
	}
	fmt.Fprintf(e.stdout, "Created topic %s with %s.\n", t.Name(), count(int(t.NumPartitions()), "partition"))
	return nil
}

func (e *env) topicsList(args []string) (err error) {
	c := e.flags("topics list", "topics list", "Print the names of the registry's topics, one per line, sorted.")
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	reg, err := e.openRegistry(readOnly)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	for _, t := range reg.Topics() {
		fmt.Fprintln(e.stdout, t.Name())
	}
	return nil
}

const describeAbout = `
Print topic NAME's settings by Kafka's names (sizes in bytes, times in ms,
-1 for none; flush.policy is commitlog's own):

  segment.bytes, segment.index.bytes, segment.ms, segment.jitter.ms,
  retention.ms, retention.bytes, compression.type, flush.policy,
  flush.messages, flush.ms, max.message.bytes, message.timestamp.type

and for each partition: the first offset it holds (LogStart),
the end of what consumers may read (HighWatermark), the offset the next
record will get (LogEnd), its size in bytes and its number of segments.
Without NAME, every topic.`

func (e *env) topicsDescribe(args []string) (err error) {
	c := e.flags("topics describe", "topics describe [NAME]", describeAbout)
	only, err := c.parseName(args, true)
	if err != nil {
		return err
	}
	reg, err := e.openRegistry(readOnly)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	var descs []topic.Description
	if only != "" {
		d, err := reg.Describe(only)
		if err != nil {
			return cmdErr(c, err)
		}
		descs = append(descs, d)
	} else {
		for _, t := range reg.Topics() {
			descs = append(descs, t.Describe())
		}
	}
	for i, d := range descs {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		writeDescription(e.stdout, d)
	}
	return nil
}

// writeDescription writes one topic's description.
func writeDescription(w io.Writer, d topic.Description) {
	var buf bytes.Buffer
	defer func() {
		// Cells padded to their column leave trailing blanks.
		for line := range bytes.Lines(buf.Bytes()) {
			w.Write(append(bytes.TrimRight(line, " \n"), '\n'))
		}
	}()
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Topic: %s\tTopicId: %s\tPartitions: %d\n", d.Name, d.ID, len(d.Partitions))
	fmt.Fprintf(tw, "Config:\n")
	for _, e := range configEntries(d.Config) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", e[0], e[1], e[2])
	}
	tw.Flush()
	tw = tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Partition\tLogStart\tHighWatermark\tLogEnd\tSize\tSegments\n")
	for _, p := range d.Partitions {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\n", p.Index, p.LogStartOffset, p.HighWatermark, p.LogEndOffset, p.Size, p.Segments)
	}
	tw.Flush()
}

func (e *env) topicsDelete(args []string) (err error) {
	c := e.flags("topics delete", "topics delete NAME [-if-exists]", "Delete topic NAME: its metadata, its partitions and every record in them.")
	ifExists := c.Bool("if-exists", false, "succeed without changing anything if the topic does not exist")
	name, err := c.parseName(args, false)
	if err != nil {
		return err
	}
	reg, err := e.openRegistry(readWrite)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	// With the consumer groups open, the deletion forgets the offsets
	// they committed in the topic, so that a topic created again under
	// its name starts without them.
	if _, err := openGroups(reg); err != nil {
		return err
	}
	if err := reg.Delete(context.Background(), name); err != nil {
		if errors.Is(err, topic.ErrUnknownTopic) && *ifExists {
			return nil
		}
		return cmdErr(c, err)
	}
	fmt.Fprintf(e.stdout, "Deleted topic %s.\n", name)
	return nil
}
