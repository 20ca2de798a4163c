package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// configOf returns the settings topics describe prints for topic name, by
// Kafka's names.
func configOf(t *testing.T, reg, name string) map[string]string {
	t.Helper()
	desc := mustRun(t, reg, "", "topics", "describe", name)
	cfg := map[string]string{}
	for _, l := range lines(desc) {
		if f := strings.Fields(l); strings.HasPrefix(l, "  ") && len(f) >= 2 {
			cfg[f[0]] = f[1]
		}
	}
	require.Len(t, cfg, len(configKeys), desc)
	return cfg
}

func TestTopicsAlter(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "orders", "-partitions", "2", "-segment-bytes", "64KiB")
	mustRun(t, reg, "a\nb\n", "produce", "-topic", "orders", "-partition", "1")
	before := configOf(t, reg, "orders")

	// Kafka's names and values, as a list and as repeated flags.
	out := mustRun(t, reg, "", "topics", "alter", "orders",
		"-set", "retention.ms=-1,segment.bytes=1048576", "-set", "compression.type=zstd",
		"-set", "flush.policy=every-n", "-set", "flush.messages=500", "-set", "message.timestamp.type=LogAppendTime",
		"-set", "retention.bytes=8MiB", "-set", "segment.ms=3600000")
	require.Equal(t, "Altered topic orders: segment.bytes=1048576 segment.ms=3600000 retention.ms=-1 retention.bytes=8388608 "+
		"compression.type=zstd flush.policy=every-n flush.messages=500 message.timestamp.type=LogAppendTime.\n", out)
	after := configOf(t, reg, "orders")
	want := map[string]string{}
	for k, v := range before {
		want[k] = v
	}
	want["retention.ms"], want["segment.bytes"], want["compression.type"] = "-1", "1048576", "zstd"
	want["flush.policy"], want["flush.messages"], want["message.timestamp.type"] = "every-n", "500", "LogAppendTime"
	want["retention.bytes"], want["segment.ms"] = "8388608", "3600000"
	require.Equal(t, want, after)

	// -delete puts the defaults back; the records stay.
	out = mustRun(t, reg, "", "topics", "alter", "orders", "-delete", "retention.ms,segment.bytes", "-delete", "retention.bytes")
	require.Equal(t, "Altered topic orders: segment.bytes=1073741824 retention.ms=604800000 retention.bytes=-1.\n", out)
	cfg := configOf(t, reg, "orders")
	require.Equal(t, "604800000", cfg["retention.ms"])
	require.Equal(t, "1073741824", cfg["segment.bytes"])
	require.Equal(t, "-1", cfg["retention.bytes"])
	require.Equal(t, "zstd", cfg["compression.type"], "the others stay")
	require.Equal(t, "a\nb\n", mustRun(t, reg, "", "consume", "-topic", "orders", "-from-beginning", "-max", "2"))
	require.Equal(t, "Topic orders unchanged.\n", mustRun(t, reg, "", "topics", "alter", "orders", "-set", "compression.type=zstd"))

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-set", "retention.hours=5"}, 2, `unknown setting "retention.hours"; the settings are segment.bytes, segment.index.bytes, segment.ms, ` +
			`segment.jitter.ms, retention.ms, retention.bytes, compression.type, flush.policy, flush.messages, flush.ms, ` +
			`max.message.bytes, message.timestamp.type`},
		{[]string{"-delete", "partitions"}, 2, `unknown setting "partitions"`},
		{[]string{"-set", "retention.ms"}, 2, `-set "retention.ms": want KEY=VALUE`},
		{[]string{"-set", "retention.ms=soon"}, 2, `-set retention.ms: "soon" is neither a positive count of milliseconds nor -1`},
		{[]string{"-set", "segment.ms=-1"}, 2, `-set segment.ms: "-1" is not a positive count of milliseconds`},
		{[]string{"-set", "compression.type=brotli"}, 2, `"brotli" is not none, gzip, snappy, lz4 or zstd`},
		{[]string{"-set", "retention.ms=1", "-delete", "retention.ms"}, 2, "retention.ms is changed twice"},
		{[]string{}, 2, "nothing to change"},
		// Checked as topics create checks, by the registry: nothing changes.
		{[]string{"-set", "segment.bytes=100"}, 1, "logctl: topics alter: topic: invalid configuration: segment bytes 100 not in [1 KiB, 2 GiB)"},
	} {
		r := logctl(t, reg, "", append([]string{"topics", "alter", "orders"}, c.args...)...)
		require.Equal(t, c.code, r.code, "%q: %s", c.args, r.stderr)
		require.Contains(t, r.stderr, c.msg, "%q", c.args)
	}
	r := logctl(t, reg, "", "topics", "alter", "nope", "-set", "retention.ms=1")
	require.Equal(t, 1, r.code)
	require.Equal(t, "logctl: topics alter: topic: unknown topic \"nope\"\n", r.stderr)
	require.Equal(t, cfg, configOf(t, reg, "orders"))
}
