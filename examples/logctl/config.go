package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/topic"
)

// configKey is one topic setting by its Kafka name: how topics describe
// shows it, and how topics alter sets it from text or puts back its
// default.
type configKey struct {
	name string
	// show returns the value as Kafka writes it, and as a person reads
	// it (or "").
	show func(c topic.Config) (value, human string)
	// set parses a value as Kafka writes it into c.
	set func(c *topic.Config, value string) error
	// reset puts back the default: the zero value, in topic.Config.
	reset func(c *topic.Config)
}

// configKeys are the topic settings, in the order topics describe lists
// them.
var configKeys = []configKey{
	{
		name:  "segment.bytes",
		show:  func(c topic.Config) (string, string) { return bytesValue(c.SegmentBytes) },
		set:   func(c *topic.Config, v string) error { return setBytes(&c.SegmentBytes, v, false) },
		reset: func(c *topic.Config) { c.SegmentBytes = 0 },
	},
	{
		name: "segment.index.bytes",
		show: func(c topic.Config) (string, string) { return bytesValue(int64(c.SegmentIndexBytes)) },
		set: func(c *topic.Config, v string) error {
			var n int64
			if err := setBytes(&n, v, false); err != nil {
				return err
			}
			c.SegmentIndexBytes = int(min(n, math.MaxInt32))
			return nil
		},
		reset: func(c *topic.Config) { c.SegmentIndexBytes = 0 },
	},
	{
		name:  "segment.ms",
		show:  func(c topic.Config) (string, string) { return msValue(c.SegmentAge) },
		set:   func(c *topic.Config, v string) error { return setMillis(&c.SegmentAge, v, false) },
		reset: func(c *topic.Config) { c.SegmentAge = 0 },
	},
	{
		name: "segment.jitter.ms",
		show: func(c topic.Config) (string, string) { return msValue(c.SegmentJitter) },
		set: func(c *topic.Config, v string) error {
			if strings.TrimSpace(v) == "0" {
				c.SegmentJitter = 0
				return nil
			}
			return setMillis(&c.SegmentJitter, v, false)
		},
		reset: func(c *topic.Config) { c.SegmentJitter = 0 },
	},
	{
		name:  "retention.ms",
		show:  func(c topic.Config) (string, string) { return msValue(c.RetentionAge) },
		set:   func(c *topic.Config, v string) error { return setMillis(&c.RetentionAge, v, true) },
		reset: func(c *topic.Config) { c.RetentionAge = 0 },
	},
	{
		name: "retention.bytes",
		show: func(c topic.Config) (string, string) {
			if c.RetentionBytes <= 0 {
				return "-1", "(no limit)"
			}
			return bytesValue(c.RetentionBytes)
		},
		set:   func(c *topic.Config, v string) error { return setBytes(&c.RetentionBytes, v, true) },
		reset: func(c *topic.Config) { c.RetentionBytes = 0 },
	},
	{
		name: "compression.type",
		show: func(c topic.Config) (string, string) { return c.Compression.String(), "" },
		set: func(c *topic.Config, v string) error {
			codec, err := compress.ParseCodec(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not none, gzip, snappy, lz4 or zstd", v)
			}
			c.Compression = codec
			return nil
		},
		reset: func(c *topic.Config) { c.Compression = 0 },
	},
	{
		name: "flush.policy",
		show: func(c topic.Config) (string, string) {
			return c.Flush.String(), "(commitlog's: never, every-n, interval or always)"
		},
		set: func(c *topic.Config, v string) error {
			var p topic.FlushPolicy
			if err := p.UnmarshalText([]byte(strings.TrimSpace(v))); err != nil {
				return fmt.Errorf("%q is not never, every-n, interval or always", v)
			}
			c.Flush = p
			return nil
		},
		reset: func(c *topic.Config) { c.Flush = 0 },
	},
	{
		name: "flush.messages",
		show: func(c topic.Config) (string, string) { return strconv.FormatInt(c.FlushRecords, 10), "" },
		set: func(c *topic.Config, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n <= 0 {
				return fmt.Errorf("%q is not a positive count of records", v)
			}
			c.FlushRecords = n
			return nil
		},
		reset: func(c *topic.Config) { c.FlushRecords = 0 },
	},
	{
		name:  "flush.ms",
		show:  func(c topic.Config) (string, string) { return msValue(c.FlushInterval) },
		set:   func(c *topic.Config, v string) error { return setMillis(&c.FlushInterval, v, false) },
		reset: func(c *topic.Config) { c.FlushInterval = 0 },
	},
	{
		name: "max.message.bytes",
		show: func(c topic.Config) (string, string) { return bytesValue(int64(c.MaxMessageBytes)) },
		set: func(c *topic.Config, v string) error {
			var n int64
			if err := setBytes(&n, v, false); err != nil {
				return err
			}
			c.MaxMessageBytes = int(min(n, math.MaxInt32))
			return nil
		},
		reset: func(c *topic.Config) { c.MaxMessageBytes = 0 },
	},
	{
		name: "message.timestamp.type",
		show: func(c topic.Config) (string, string) { return c.TimestampType.String(), "" },
		set: func(c *topic.Config, v string) error {
			var t timestampTypeValue
			if err := t.Set(strings.TrimSpace(v)); err != nil {
				return err
			}
			c.TimestampType = t.t
			return nil
		},
		reset: func(c *topic.Config) { c.TimestampType = 0 },
	},
}

// configKeyNames are the names of configKeys, for messages.
func configKeyNames() string {
	names := make([]string, len(configKeys))
	for i, k := range configKeys {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// lookupConfigKey returns the setting called name.
func lookupConfigKey(name string) (configKey, bool) {
	i := slices.IndexFunc(configKeys, func(k configKey) bool { return k.name == name })
	if i < 0 {
		return configKey{}, false
	}
	return configKeys[i], true
}

// configEntries lists a topic's settings by Kafka's names, with their
// values as Kafka writes them and as a person reads them.
func configEntries(c topic.Config) [][3]string {
	out := make([][3]string, len(configKeys))
	for i, k := range configKeys {
		v, h := k.show(c)
		out[i] = [3]string{k.name, v, h}
	}
	return out
}

// bytesValue shows a size in bytes.
func bytesValue(n int64) (string, string) {
	return strconv.FormatInt(n, 10), "(" + formatSize(n) + ")"
}

// msValue shows a duration in milliseconds, -1 for forever.
func msValue(d time.Duration) (string, string) {
	if d < 0 {
		return "-1", "(forever)"
	}
	return strconv.FormatInt(d.Milliseconds(), 10), "(" + formatDuration(d) + ")"
}

// setBytes parses a positive byte count (with an optional suffix, as the
// flags of topics create take), or -1 if noLimit allows it, which it
// stores as 0: no limit.
func setBytes(dst *int64, v string, noLimit bool) error {
	if noLimit && strings.TrimSpace(v) == "-1" {
		*dst = 0
		return nil
	}
	n, err := parseSize(v)
	if err != nil {
		if noLimit {
			return fmt.Errorf("%q is neither a positive byte count (like 1048576 or 512KiB) nor -1", v)
		}
		return err
	}
	*dst = n
	return nil
}

// setMillis parses a positive count of milliseconds, or -1 if forever
// allows it.
func setMillis(dst *time.Duration, v string, forever bool) error {
	s := strings.TrimSpace(v)
	if forever && s == "-1" {
		*dst = -1
		return nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 || ms > math.MaxInt64/int64(time.Millisecond) {
		if forever {
			return fmt.Errorf("%q is neither a positive count of milliseconds nor -1", v)
		}
		return fmt.Errorf("%q is not a positive count of milliseconds", v)
	}
	*dst = time.Duration(ms) * time.Millisecond
	return nil
}
