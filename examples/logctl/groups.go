package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/commitlog-go/commitlog/consumer/group"
	"github.com/commitlog-go/commitlog/topic"
)

const groupsAbout = `
Show the consumer groups of the registry in -dir: the groups that have
committed offsets, as consume -group G does when it ends. These commands
write nothing and take no lock: they run beside a produce or a consume
-group in another process, and show the offsets committed when they start.

Commands:
  groups list             print the groups' names, one per line, sorted
  groups describe NAME    print, for each partition group NAME committed an
                          offset in, that offset, the partition's high
                          watermark and the lag between them`

// groups dispatches the groups subcommands.
func (e *env) groups(args []string) error {
	return e.runSubcommand("groups", groupsAbout, args, []subcommand{
		{"list", e.groupsList}, {"describe", e.groupsDescribe},
	})
}

func (e *env) groupsList(args []string) (err error) {
	c := e.flags("groups list", "groups list", "Print the names of the consumer groups that have committed offsets, one per line, sorted.")
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	reg, err := e.openRegistry(readOnly)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	groups, err := openGroups(reg)
	if err != nil {
		return err
	}
	for _, g := range groups.Groups() {
		fmt.Fprintln(e.stdout, g)
	}
	return nil
}

const groupsDescribeAbout = `
Print consumer group NAME's committed offsets, a row per partition it
committed one in:

  Topic   Partition  Committed  HighWatermark  Lag  CommittedAt
  orders  0          41         45             4    2025-01-02T03:04:05.678Z

Committed is the offset of the next record the group will read there;
HighWatermark the end of what the partition holds for readers; Lag the
records between them, which the group's next consume -group prints. A
Metadata column follows when a commit carries metadata.

This command writes nothing and takes no lock, so it runs while a consume
-group reads: it shows the offsets committed when it starts (a running
consume -group commits what it printed when it ends). A group's members live
in the process that runs them, so it shows none: consume -group runs the
group's only member while it reads.`

func (e *env) groupsDescribe(args []string) (err error) {
	c := e.flags("groups describe", "groups describe NAME", groupsDescribeAbout)
	pos, err := c.parse(args, 1, 1)
	if err != nil {
		return err
	}
	name := pos[0]
	if name == "" {
		return c.usageErr("a group name cannot be empty")
	}
	reg, err := e.openRegistry(readOnly)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	groups, err := openGroups(reg)
	if err != nil {
		return err
	}
	d, err := groups.Describe(name)
	if errors.Is(err, group.ErrUnknownGroup) {
		return fmt.Errorf("unknown group %q: it has committed no offsets ('logctl groups list' names the groups that have)", name)
	}
	if err != nil {
		return cmdErr(c, err)
	}
	writeGroupDescription(e.stdout, reg, d)
	return nil
}

// writeGroupDescription writes one group's description.
func writeGroupDescription(w io.Writer, reg *topic.Registry, d group.Description) {
	var buf bytes.Buffer
	defer func() {
		// Cells padded to their column leave trailing blanks.
		for line := range bytes.Lines(buf.Bytes()) {
			w.Write(append(bytes.TrimRight(line, " \n"), '\n'))
		}
	}()
	fmt.Fprintf(&buf, "Group: %s\n", d.Name)
	if len(d.Members) == 0 {
		fmt.Fprintf(&buf, "Members: none shown: members live in the process that runs them (consume -group)\n")
	} else {
		fmt.Fprintf(&buf, "Members: %d in this process, generation %d, strategy %s\n", len(d.Members), d.Generation, d.Strategy)
		for _, m := range d.Members {
			var parts []string
			for _, tp := range m.Assignment {
				parts = append(parts, fmt.Sprintf("%s-%d", tp.Topic, tp.Partition))
			}
			fmt.Fprintf(&buf, "  %s: %s\n", m.ID, strings.Join(parts, " "))
		}
	}
	if len(d.Partitions) == 0 {
		return
	}
	withMetadata := false
	for _, p := range d.Partitions {
		withMetadata = withMetadata || p.Committed.Metadata != ""
	}
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Topic\tPartition\tCommitted\tHighWatermark\tLag\tCommittedAt")
	if withMetadata {
		fmt.Fprintf(tw, "\tMetadata")
	}
	fmt.Fprintln(tw)
	var total int64
	for _, p := range d.Partitions {
		// Describe leaves the high watermark and lag of a partition
		// that no longer exists at 0; say so instead.
		hw, lag := "-", "-"
		if partitionExists(reg, p.TopicPartition) {
			hw, lag = strconv.FormatInt(p.HighWatermark, 10), strconv.FormatInt(p.Lag, 10)
			total += p.Lag
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s", p.Topic, p.Partition, p.Committed.Offset, hw, lag,
			formatMillis(p.Committed.Time.UnixMilli()))
		if withMetadata {
			fmt.Fprintf(tw, "\t%q", p.Committed.Metadata)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(&buf, "Total lag: %d\n", total)
}

// partitionExists reports whether tp is a partition of a topic of reg.
func partitionExists(reg *topic.Registry, tp group.TopicPartition) bool {
	t, err := reg.Topic(tp.Topic)
	if err != nil {
		return false
	}
	_, err = t.Partition(tp.Partition)
	return err == nil
}
