package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// groupRow is one partition's row of groups describe.
type groupRow struct {
	committed, highWatermark, lag int64
}

// describeGroup runs groups describe and returns its rows by "topic-partition".
func describeGroup(t *testing.T, reg, group string) (map[string]groupRow, string) {
	t.Helper()
	out := mustRun(t, reg, "", "groups", "describe", group)
	ls := lines(out)
	require.GreaterOrEqual(t, len(ls), 4, out)
	require.Equal(t, "Group: "+group, ls[0])
	require.True(t, strings.HasPrefix(ls[1], "Members: none shown"), out)
	require.Regexp(t, `^Topic +Partition +Committed +HighWatermark +Lag +CommittedAt$`, ls[2])
	rows := map[string]groupRow{}
	var total int64
	for _, l := range ls[3 : len(ls)-1] {
		f := strings.Fields(l)
		require.Len(t, f, 6, l)
		n := func(s string) int64 {
			v, err := strconv.ParseInt(s, 10, 64)
			require.NoError(t, err, l)
			return v
		}
		r := groupRow{n(f[2]), n(f[3]), n(f[4])}
		require.Equal(t, r.highWatermark-r.committed, r.lag, l)
		require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, f[5])
		rows[f[0]+"-"+f[1]] = r
		total += r.lag
	}
	require.Equal(t, fmt.Sprintf("Total lag: %d", total), ls[len(ls)-1])
	return rows, out
}

func TestConsumeGroup(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "g", "-partitions", "3")
	const perPartition = 4
	var all []string
	for p := range 3 {
		var in strings.Builder
		for i := range perPartition {
			fmt.Fprintf(&in, "p%d-%d\n", p, i)
			all = append(all, fmt.Sprintf("%d %d\tp%d-%d", p, i, p, i))
		}
		mustRun(t, reg, in.String(), "produce", "-topic", "g", "-partition", strconv.Itoa(p))
	}
	require.Empty(t, mustRun(t, reg, "", "groups", "list"))

	// Two runs of 3 go on from each other; the third reads the rest.
	group := func(name string, args ...string) []string {
		return lines(mustRun(t, reg, "", append([]string{"consume", "-topic", "g", "-group", name, "-print-offset"}, args...)...))
	}
	first := group("g", "-from-beginning", "-max", "3")
	require.Len(t, first, 3)
	second := group("g", "-from-beginning", "-max", "3")
	require.Len(t, second, 3)
	rest := group("g", "-from-beginning", "-timeout", "300ms")
	got := slices.Concat(first, second, rest)
	require.ElementsMatch(t, all, got, "every record once: %q", got)
	// Within a partition, every run goes on exactly where the one
	// before stopped.
	next := map[int]int64{}
	for _, l := range got {
		p, o := partitionOffset(t, strings.Split(l, "\t")[0])
		require.Equal(t, next[p], o, "partition %d", p)
		next[p] = o + 1
	}
	rows, out := describeGroup(t, reg, "g")
	require.Equal(t, map[string]groupRow{
		"g-0": {perPartition, perPartition, 0},
		"g-1": {perPartition, perPartition, 0},
		"g-2": {perPartition, perPartition, 0},
	}, rows, out)

	// A new group without -from-beginning starts at the end, and commits
	// it: its next run prints what was produced in between.
	require.Empty(t, group("late", "-timeout", "200ms"))
	require.Equal(t, "g\nlate\n", mustRun(t, reg, "", "groups", "list"))

	// More records: lag, which the next run reads; -from-beginning only
	// applies where the group has committed nothing.
	mustRun(t, reg, "x\ny\n", "produce", "-topic", "g", "-partition", "1")
	rows, out = describeGroup(t, reg, "g")
	require.Equal(t, map[string]groupRow{
		"g-0": {perPartition, perPartition, 0},
		"g-1": {perPartition, perPartition + 2, 2},
		"g-2": {perPartition, perPartition, 0},
	}, rows, out)
	require.Equal(t, []string{"1 4\tx", "1 5\ty"}, group("g", "-from-beginning", "-max", "2"))
	require.Equal(t, []string{"1 4\tx", "1 5\ty"}, group("late", "-max", "2"))

	// A failed write commits nothing that did not reach stdout: here,
	// nothing.
	if full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		defer full.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, logctlPath(t), "-dir", reg, "consume", "-topic", "g", "-group", "full", "-from-beginning", "-max", "3")
		cmd.Env = append(os.Environ(), "LOGCTL_DIR=", "GORACE=atexit_sleep_ms=0")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		require.Error(t, cmd.Run())
		require.Equal(t, 1, cmd.ProcessState.ExitCode(), stderr.String())
		require.Contains(t, stderr.String(), "writing")
		require.NotContains(t, stderr.String(), "DATA RACE")
		r := logctl(t, reg, "", "groups", "describe", "full")
		require.Equal(t, 1, r.code, r.stdout)
	}

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"consume", "-topic", "g", "-group", "g", "-offset", "1"}, 2, "-group excludes -offset and -partition"},
		{[]string{"consume", "-topic", "g", "-group", "g", "-partition", "0"}, 2, "-group excludes -offset and -partition"},
		{[]string{"consume", "-topic", "g", "-group", ""}, 2, "-group needs a name"},
		{[]string{"groups", "describe", "nope"}, 1, `unknown group "nope": it has committed no offsets`},
	} {
		r := logctl(t, reg, "", c.args...)
		require.Equal(t, c.code, r.code, "%q: %s", c.args, r.stderr)
		require.Contains(t, r.stderr, c.msg, "%q", c.args)
	}
}

func TestSignalEndsGroupConsumeWithACommit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "s", "-partitions", "2")
	mustRun(t, reg, "a\nb\nc\n", "produce", "-topic", "s", "-partition", "0")
	mustRun(t, reg, "d\n", "produce", "-topic", "s", "-partition", "1")

	// Waiting for more, it has printed all four: SIGINT commits them.
	c := start(t, reg, "consume", "-topic", "s", "-group", "sig", "-from-beginning")
	got := lines(c.readLines(t, 4))
	require.Equal(t, 0, c.stop(t, os.Interrupt), c.stderr.String())
	require.ElementsMatch(t, []string{"a", "b", "c", "d"}, got)
	rows, out := describeGroup(t, reg, "sig")
	require.Equal(t, map[string]groupRow{"s-0": {3, 3, 0}, "s-1": {1, 1, 0}}, rows, out)
	require.Empty(t, mustRun(t, reg, "", "consume", "-topic", "s", "-group", "sig", "-from-beginning", "-timeout", "200ms"))

	// A backlog far larger than the pipe and the buffer: the signal
	// comes while consume waits for stdout to take more. It stops, and
	// commits exactly what reached stdout.
	mustRun(t, reg, "", "topics", "create", "big")
	const n = 20000
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, "%08d a value long enough to fill a pipe\n", i)
	}
	mustRun(t, reg, in.String(), "produce", "-topic", "big")
	c = start(t, reg, "consume", "-topic", "big", "-group", "sig", "-from-beginning")
	first := c.readLines(t, 1)
	time.Sleep(100 * time.Millisecond) // let it block on the full pipe
	require.NoError(t, c.cmd.Process.Signal(os.Interrupt))
	time.Sleep(100 * time.Millisecond) // let the signal land before stdout drains
	rest, err := io.ReadAll(c.stdout)
	require.NoError(t, err)
	require.NoError(t, c.cmd.Wait(), c.stderr.String())
	printed := lines(first + string(rest))
	require.Less(t, len(printed), n, "the signal did not stop it")
	for i, l := range printed {
		require.True(t, strings.HasPrefix(l, fmt.Sprintf("%08d ", i)), l)
	}
	require.Contains(t, c.stderr.String(), fmt.Sprintf("Processed a total of %d messages", len(printed)))
	rows, out = describeGroup(t, reg, "sig")
	require.Equal(t, groupRow{int64(len(printed)), n, n - int64(len(printed))}, rows["big-0"], out)
}

// TestGroupsBesideAGroupConsume runs groups list and describe while a
// consume -group in another process holds the registry: they show the
// offsets committed when they start, and the consume goes on and commits
// undisturbed.
func TestGroupsBesideAGroupConsume(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "s", "-partitions", "2")
	mustRun(t, reg, "a\nb\nc\n", "produce", "-topic", "s", "-partition", "0")
	mustRun(t, reg, "d\ne\n", "produce", "-topic", "s", "-partition", "1")
	first := lines(mustRun(t, reg, "", "consume", "-topic", "s", "-group", "g", "-from-beginning", "-max", "2"))
	require.Len(t, first, 2)
	committed := func(rows map[string]groupRow) (sum int64) {
		for _, r := range rows {
			sum += r.committed
		}
		return sum
	}

	c := start(t, reg, "consume", "-topic", "s", "-group", "g")
	rest := lines(c.readLines(t, 3))
	require.ElementsMatch(t, []string{"a", "b", "c", "d", "e"}, append(first, rest...))
	r := logctl(t, reg, "", "consume", "-topic", "s", "-group", "g", "-max", "1")
	require.Equal(t, 1, r.code, "the consume holds the registry")
	require.Contains(t, r.stderr, "groups list and describe")

	require.Equal(t, "g\n", mustRun(t, reg, "", "groups", "list"))
	rows, out := describeGroup(t, reg, "g")
	require.Equal(t, int64(2), committed(rows), "what the first run committed: %s", out)
	for tp, row := range rows {
		require.Equal(t, map[string]int64{"s-0": 3, "s-1": 2}[tp], row.highWatermark, "%s: %s", tp, out)
	}
	r = logctl(t, reg, "", "groups", "describe", "nope")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, `unknown group "nope"`)

	require.Equal(t, 0, c.stop(t, os.Interrupt), c.stderr.String())
	require.Contains(t, c.stderr.String(), "Processed a total of 3 messages")
	rows, out = describeGroup(t, reg, "g")
	require.Equal(t, map[string]groupRow{"s-0": {3, 3, 0}, "s-1": {2, 2, 0}}, rows, out)
}
