package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/commitlog-go/commitlog/topic"
)

const alterAbout = `
Change settings of topic NAME, which keeps its records, as kafka-configs.sh
--alter does: -set KEY=VALUE sets a setting (its --add-config), -delete KEY
puts one back to its default (its --delete-config). Each flag may be
repeated, or take a comma-separated list:

  logctl topics alter orders -set retention.ms=-1,segment.bytes=1048576 -delete flush.ms

Keys and values are Kafka's, as topics describe prints them: sizes in
bytes (or with a K/KiB, M/MiB, G/GiB suffix), times in milliseconds:

  segment.bytes, segment.index.bytes, segment.ms, segment.jitter.ms,
  retention.ms (-1: forever), retention.bytes (-1: no limit),
  compression.type (none, gzip, snappy, lz4, zstd),
  flush.policy (commitlog's: never, every-n, interval, always),
  flush.messages, flush.ms, max.message.bytes,
  message.timestamp.type (CreateTime, LogAppendTime)

The new settings are checked as topics create checks them, stored
crash-safely and applied to every partition. The partition count is not a
setting: a topic's partitions stay.`

// listValue is a flag that may be repeated and takes comma-separated
// lists: every item, in order.
type listValue []string

func (v *listValue) String() string { return strings.Join(*v, ",") }

func (v *listValue) Set(s string) error {
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*v = append(*v, item)
		}
	}
	return nil
}

// configEdit is one change topics alter makes: a setting set to a value,
// or put back to its default.
type configEdit struct {
	key   configKey
	value string // for a set
	reset bool
}

// apply makes the change to c. The value parsed when the edit was made.
func (ed configEdit) apply(c *topic.Config) {
	if ed.reset {
		ed.key.reset(c)
		return
	}
	ed.key.set(c, ed.value)
}

func (e *env) topicsAlter(args []string) (err error) {
	c := e.flags("topics alter", "topics alter NAME [-set KEY=VALUE[,...]]... [-delete KEY[,...]]...", alterAbout)
	var sets, deletes listValue
	c.Var(&sets, "set", "set `KEY=VALUE` (Kafka's --add-config); repeat the flag or separate with commas")
	c.Var(&deletes, "delete", "put `KEY` back to its default (Kafka's --delete-config); repeat the flag or separate with commas")
	name, err := c.parseName(args, false)
	if err != nil {
		return err
	}
	edits, err := parseEdits(c, sets, deletes)
	if err != nil {
		return err
	}

	reg, err := e.openRegistry(readWrite)
	if err != nil {
		return err
	}
	defer closeRegistry(reg, &err)
	var before topic.Config
	after, err := reg.AlterConfig(context.Background(), name, func(cfg *topic.Config) {
		before = *cfg
		for _, ed := range edits {
			ed.apply(cfg)
		}
	})
	if err != nil {
		return cmdErr(c, err)
	}
	old, now := configEntries(before), configEntries(after)
	var changed []string
	for i := range now {
		if now[i][1] != old[i][1] {
			changed = append(changed, now[i][0]+"="+now[i][1])
		}
	}
	if len(changed) == 0 {
		fmt.Fprintf(e.stdout, "Topic %s unchanged.\n", name)
		return nil
	}
	fmt.Fprintf(e.stdout, "Altered topic %s: %s.\n", name, strings.Join(changed, " "))
	return nil
}

// parseEdits checks the -set and -delete items, and parses each value,
// before anything is opened: a bad one is a usage error.
func parseEdits(c *cmdFlags, sets, deletes []string) ([]configEdit, error) {
	if len(sets) == 0 && len(deletes) == 0 {
		return nil, c.usageErr("nothing to change: give -set KEY=VALUE or -delete KEY")
	}
	lookup := func(name string) (configKey, error) {
		k, ok := lookupConfigKey(name)
		if !ok {
			return k, c.usageErr("unknown setting %q; the settings are %s", name, configKeyNames())
		}
		return k, nil
	}
	var edits []configEdit
	seen := map[string]bool{}
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		if !ok {
			return nil, c.usageErr("-set %q: want KEY=VALUE", s)
		}
		k, err := lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		var scratch topic.Config
		if err := k.set(&scratch, value); err != nil {
			return nil, c.usageErr("-set %s: %w", k.name, err)
		}
		if seen[k.name] {
			return nil, c.usageErr("%s is changed twice", k.name)
		}
		seen[k.name] = true
		edits = append(edits, configEdit{key: k, value: value})
	}
	for _, name := range deletes {
		k, err := lookup(name)
		if err != nil {
			return nil, err
		}
		if seen[k.name] {
			return nil, c.usageErr("%s is changed twice", k.name)
		}
		seen[k.name] = true
		edits = append(edits, configEdit{key: k, reset: true})
	}
	return edits, nil
}
