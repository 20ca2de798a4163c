package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/topic"
)

// binary builds logctl the first time a test needs it, into a directory
// TestMain removes at the end; tests that run none build nothing.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// logctlPath returns the logctl binary the tests run as a user would,
// built with -race when they are.
func logctlPath(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "logctl-test-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "logctl")
		args := []string{"build", "-o", binary.path}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("building logctl: %v\n%s", err, out)
		}
	})
	require.NoError(t, binary.err)
	return binary.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// result is what one run of logctl did.
type result struct {
	stdout, stderr string
	code           int
}

// logctl runs logctl -dir dir args with stdin as its standard input.
func logctl(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, logctlPath(t), append([]string{"-dir", dir}, args...)...)
	// A race-enabled binary otherwise sleeps a second before it exits.
	cmd.Env = append(os.Environ(), "LOGCTL_DIR=", "GORACE=atexit_sleep_ms=0")
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "logctl %q did not end; stderr: %s", args, stderr.String())
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	require.NotContains(t, r.stderr, "DATA RACE")
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else {
		require.NoError(t, err, "running logctl %q", args)
	}
	return r
}

// mustRun runs logctl, requires it to succeed and returns its stdout.
func mustRun(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	r := logctl(t, dir, stdin, args...)
	require.Equal(t, 0, r.code, "logctl %q failed; stderr: %s", args, r.stderr)
	return r.stdout
}

// lines splits output into its lines.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// crcCoveredByte is a byte of every batch's header that its CRC covers:
// one of MaxTimestamp's, of the first batch when used as a file position.
const crcCoveredByte = 40

// flipByte inverts the byte at pos of the file at path.
func flipByte(t *testing.T, path string, pos int) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Less(t, pos, len(data))
	data[pos] ^= 0xff
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// segmentPath is the path of a partition's segment file.
func segmentPath(reg, topicName string, partition int, base int64) string {
	return filepath.Join(reg, fmt.Sprintf("%s-%d", topicName, partition), fmt.Sprintf("%020d.log", base))
}

// partitionOffset parses "partition offset".
func partitionOffset(t *testing.T, s string) (int, int64) {
	t.Helper()
	p, o, ok := strings.Cut(s, " ")
	require.True(t, ok, "%q is not \"partition offset\"", s)
	pi, err := strconv.Atoi(p)
	require.NoError(t, err)
	oi, err := strconv.ParseInt(o, 10, 64)
	require.NoError(t, err)
	return pi, oi
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	top := mustRun(t, dir, "", "-h")
	for _, want := range []string{"topics create", "topics list", "topics describe", "topics alter", "topics delete",
		"produce -topic", "consume -topic", "-group G", "groups list", "groups describe", "dump FILE", "verify",
		"-dir", "$LOGCTL_DIR", "Exit status"} {
		require.Contains(t, top, want)
	}
	for _, c := range []struct {
		cmd   []string
		flags []string
	}{
		{[]string{"topics"}, []string{"create", "list", "describe", "alter", "delete"}},
		{[]string{"topics", "alter"}, []string{"-set", "-delete", "--add-config", "retention.ms", "message.timestamp.type"}},
		{[]string{"topics", "create"}, []string{"-partitions", "-retention", "-retention-bytes", "-segment-bytes",
			"-segment-age", "-compression", "-sync", "-flush-messages", "-flush-interval", "-max-message-bytes",
			"-timestamp-type", "-if-not-exists", "-dir"}},
		{[]string{"topics", "list"}, []string{"-dir"}},
		{[]string{"topics", "describe"}, []string{"retention.ms", "HighWatermark"}},
		{[]string{"topics", "delete"}, []string{"-if-exists"}},
		{[]string{"produce"}, []string{"-topic", "-key-separator", "-partition", "-report", "-sync", "interleave", "While it runs"}},
		{[]string{"consume"}, []string{"-topic", "-group", "-from-beginning", "-offset", "-partition", "-max", "-timeout",
			"-print-key", "-print-offset", "While it runs", "takes no lock"}},
		{[]string{"groups"}, []string{"list", "describe"}},
		{[]string{"groups", "list"}, []string{"-dir"}},
		{[]string{"groups", "describe"}, []string{"Committed", "HighWatermark", "Lag", "process"}},
		{[]string{"dump"}, []string{"-records", "torn"}},
		{[]string{"verify"}, []string{"-deep", "no lock"}},
	} {
		out := mustRun(t, dir, "", append(c.cmd, "-h")...)
		require.True(t, strings.HasPrefix(out, "Usage: logctl "+strings.Join(c.cmd, " ")), "%q -h:\n%s", c.cmd, out)
		for _, f := range c.flags {
			require.Contains(t, out, f, "%q -h", c.cmd)
		}
		// "help COMMAND" is "COMMAND -h".
		require.Equal(t, out, mustRun(t, dir, "", append([]string{"help"}, c.cmd...)...))
	}

	// Usage errors exit 2 and point to -h.
	for _, args := range [][]string{
		{}, {"frobnicate"}, {"topics"}, {"topics", "frobnicate"}, {"topics", "create"},
		{"topics", "create", "a", "-partitions", "0"}, {"topics", "create", "a", "-bogus"},
		{"topics", "create", "a", "b"}, {"produce"}, {"consume"}, {"dump"}, {"-nope"},
		{"groups"}, {"groups", "frobnicate"}, {"groups", "describe"}, {"groups", "describe", "g", "h"},
		{"topics", "alter"}, {"topics", "alter", "a"}, {"topics", "alter", "a", "-set", "retention.ms"},
	} {
		r := logctl(t, dir, "", args...)
		require.Equal(t, 2, r.code, "logctl %q: %s", args, r.stderr)
		require.True(t, strings.HasPrefix(r.stderr, "logctl: "), "logctl %q: %s", args, r.stderr)
		if len(args) == 0 {
			require.Contains(t, r.stderr, "Usage:")
		} else {
			require.Contains(t, r.stderr, "-h' for usage", "logctl %q", args)
		}
	}
}

func TestTopics(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	reg := filepath.Join(parent, "reg")

	// Only create makes the directory: elsewhere a missing one is a typo.
	r := logctl(t, reg, "", "topics", "list")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "does not exist")
	require.NoDirExists(t, reg)

	require.Equal(t, "Created topic orders with 3 partitions.\n", mustRun(t, reg, "",
		"topics", "create", "orders", "-partitions", "3", "-retention", "48h", "-retention-bytes", "1MiB",
		"-segment-bytes", "64KiB", "-compression", "zstd", "-sync", "always"))
	mustRun(t, reg, "", "topics", "create", "-partitions", "1", "audit") // flags before the name
	mustRun(t, reg, "", "topics", "create", "clicks", "-dir", reg)       // -dir after the command

	r = logctl(t, reg, "", "topics", "create", "orders")
	require.Equal(t, 1, r.code)
	require.Equal(t, "logctl: topics create: topic: \"orders\" already exists\n", r.stderr)
	// -if-not-exists leaves an existing topic as it is, whatever the flags.
	require.Empty(t, mustRun(t, reg, "", "topics", "create", "orders", "-if-not-exists", "-partitions", "7"))
	require.Equal(t, "Created topic fresh with 2 partitions.\n", mustRun(t, reg, "", "topics", "create", "fresh", "-if-not-exists", "-partitions", "2"))
	mustRun(t, reg, "", "topics", "delete", "fresh")

	// A name that would leave the directory is refused before anything
	// is written.
	r = logctl(t, reg, "", "topics", "create", "../x", "-partitions", "1")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, `logctl: topics create: topic: invalid topic name "../x"`)
	require.NoFileExists(t, filepath.Join(parent, "x.topic"))
	require.NoDirExists(t, filepath.Join(parent, "x-0"))

	require.Equal(t, "audit\nclicks\norders\n", mustRun(t, reg, "", "topics", "list"))

	desc := mustRun(t, reg, "", "topics", "describe", "orders")
	head := regexp.MustCompile(`^Topic: orders +TopicId: ([A-Za-z0-9_-]{22}) +Partitions: 3\n`).FindStringSubmatch(desc)
	require.NotNil(t, head, desc)
	require.Contains(t, mustRun(t, reg, "", "topics", "describe", "orders"), "TopicId: "+head[1]+" ", "a topic keeps its ID")
	for _, want := range []string{
		`retention\.ms +172800000 +\(2d\)`, `retention\.bytes +1048576 +\(1 MiB\)`,
		`segment\.bytes +65536 +\(64 KiB\)`, `segment\.ms +604800000 +\(7d\)`,
		`compression\.type +zstd\n`, `flush\.policy +always`, `max\.message\.bytes +65536`,
		`message\.timestamp\.type +CreateTime\n`,
		`Partition +LogStart +HighWatermark +LogEnd +Size +Segments\n`,
	} {
		require.Regexp(t, want, desc)
	}
	rows := lines(desc[strings.Index(desc, "Partition "):])[1:]
	require.Len(t, rows, 3)
	for i, row := range rows {
		require.Equal(t, []string{strconv.Itoa(i), "0", "0", "0", "0", "1"}, strings.Fields(row))
	}
	all := mustRun(t, reg, "", "topics", "describe")
	require.Equal(t, 3, strings.Count(all, "Topic: "))

	require.Equal(t, "Deleted topic clicks.\n", mustRun(t, reg, "", "topics", "delete", "clicks"))
	require.Equal(t, "audit\norders\n", mustRun(t, reg, "", "topics", "list"))
	require.NoFileExists(t, filepath.Join(reg, "clicks.topic"))
	require.NoDirExists(t, filepath.Join(reg, "clicks-0"))
	r = logctl(t, reg, "", "topics", "delete", "clicks")
	require.Equal(t, 1, r.code)
	require.Equal(t, "logctl: topics delete: topic: unknown topic \"clicks\"\n", r.stderr)
	mustRun(t, reg, "", "topics", "delete", "clicks", "-if-exists")
	r = logctl(t, reg, "", "topics", "describe", "clicks")
	require.Equal(t, 1, r.code)
	require.Equal(t, "logctl: topics describe: topic: unknown topic \"clicks\"\n", r.stderr)
}

func TestProduceReportsExactlyWhatIsStored(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "events", "-partitions", "4")
	const n = 3000
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, "k%d:line-%d\n", i%37, i)
	}
	var payload int64
	for i := range n {
		payload += int64(len(fmt.Sprintf("k%d", i%37)) + len(fmt.Sprintf("line-%d", i)))
	}
	r := logctl(t, reg, in.String(), "produce", "-topic", "events", "-key-separator", ":", "-report")
	require.Equal(t, 0, r.code, r.stderr)
	out := r.stdout
	// stderr is no terminal: no progress lines, only the final one.
	require.Regexp(t, `^Produced a total of 3000 records \(`+regexp.QuoteMeta(formatSize(payload))+`\) in \S+: [0-9.]+ records/s, [0-9.]+ \S+/s\n$`, r.stderr)

	reported := lines(out)
	require.Len(t, reported, n)
	last := map[int]int64{}
	for _, l := range reported {
		p, o := partitionOffset(t, l)
		// Callbacks of one partition come in offset order.
		if prev, ok := last[p]; ok {
			require.Equal(t, prev+1, o, "partition %d", p)
		} else {
			require.Equal(t, int64(0), o)
		}
		last[p] = o
	}

	// Every line went somewhere, exactly once, and the report names
	// exactly where: the stored set is the acknowledged set.
	r = logctl(t, reg, "", "consume", "-topic", "events", "-from-beginning",
		"-max", strconv.Itoa(n), "-timeout", "10s", "-print-offset", "-print-key")
	require.Equal(t, 0, r.code, r.stderr)
	require.Regexp(t, `^Processed a total of 3000 messages \(`+regexp.QuoteMeta(formatSize(payload))+`\) in \S+: [0-9.]+ messages/s, [0-9.]+ \S+/s\n$`, r.stderr)
	consumed := lines(r.stdout)
	require.Len(t, consumed, n)
	var stored []string
	seen := make(map[int]bool, n)
	lastLine := map[int]int{}
	for _, l := range consumed {
		f := strings.Split(l, "\t")
		require.Len(t, f, 3, l)
		stored = append(stored, f[0])
		i, err := strconv.Atoi(strings.TrimPrefix(f[2], "line-"))
		require.NoError(t, err, l)
		require.False(t, seen[i], "line %d stored twice", i)
		seen[i] = true
		require.Equal(t, fmt.Sprintf("k%d", i%37), f[1])
		// Within a partition, records are in input order.
		p, _ := partitionOffset(t, f[0])
		if prev, ok := lastLine[p]; ok {
			require.Less(t, prev, i, "partition %d", p)
		}
		lastLine[p] = i
	}
	slices.Sort(reported)
	slices.Sort(stored)
	require.Equal(t, reported, stored)

	desc := mustRun(t, reg, "", "topics", "describe", "events")
	var total int64
	for _, row := range lines(desc[strings.Index(desc, "Partition "):])[1:] {
		hw, err := strconv.ParseInt(strings.Fields(row)[2], 10, 64)
		require.NoError(t, err)
		total += hw
	}
	require.Equal(t, int64(n), total)
}

func TestKeyedProduceKeepsKeysOnOnePartition(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "users", "-partitions", "5")
	var in strings.Builder
	for i := range 200 {
		fmt.Fprintf(&in, "user-%d=signed up %d\n", i%13, i)
	}
	// Two runs, two producers: the key decides, not the run.
	mustRun(t, reg, in.String(), "produce", "-topic", "users", "-key-separator", "=")
	mustRun(t, reg, in.String(), "produce", "-topic", "users", "-key-separator", "=", "-sync", "always")
	out := mustRun(t, reg, "", "consume", "-topic", "users", "-from-beginning", "-max", "400",
		"-timeout", "10s", "-print-key", "-print-offset")
	partitionOf := map[string]int{}
	used := map[int]bool{}
	for _, l := range lines(out) {
		f := strings.Split(l, "\t")
		require.Len(t, f, 3)
		p, _ := partitionOffset(t, f[0])
		if q, ok := partitionOf[f[1]]; ok {
			require.Equal(t, q, p, "key %s on two partitions", f[1])
		}
		partitionOf[f[1]] = p
		used[p] = true
	}
	require.Len(t, partitionOf, 13)
	require.Greater(t, len(used), 1, "13 keys all hashed to one partition")

	// -partition wins over the key.
	out = mustRun(t, reg, "a=1\nb=2\nc=3\n", "produce", "-topic", "users", "-key-separator", "=", "-partition", "3", "-report")
	for _, l := range lines(out) {
		p, _ := partitionOffset(t, l)
		require.Equal(t, 3, p)
	}

	// A line without the separator is refused, as Kafka's console
	// producer refuses it; the others are stored.
	r := logctl(t, reg, "a=1\nno separator\nb=2\n", "produce", "-topic", "users", "-key-separator", "=", "-report")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "line 2: no key separator")
	require.Len(t, lines(r.stdout), 2)
}

func TestConsume(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "c", "-partitions", "2")
	var keyed strings.Builder
	for i := range 10 {
		fmt.Fprintf(&keyed, "k%d:v%d\n", i, i)
	}
	mustRun(t, reg, keyed.String(), "produce", "-topic", "c", "-key-separator", ":", "-partition", "0")
	mustRun(t, reg, "plain1\nplain2\nplain3\n", "produce", "-topic", "c", "-partition", "1")

	consume := func(args ...string) string {
		return mustRun(t, reg, "", append([]string{"consume", "-topic", "c"}, args...)...)
	}
	require.Equal(t, "v0\nv1\nv2\nv3\n", consume("-from-beginning", "-max", "4", "-partition", "0"))
	require.Len(t, lines(consume("-from-beginning", "-max", "5")), 5)
	require.Equal(t, "v7\nv8\nv9\n", consume("-offset", "7", "-partition", "0", "-timeout", "200ms"))
	require.Equal(t, "0 2\tv2\n", consume("-offset", "2", "-partition", "0", "-max", "1", "-print-offset"))
	require.Equal(t, "k2\tv2\n", consume("-offset", "2", "-partition", "0", "-max", "1", "-print-key"))
	require.Equal(t, "0 2\tk2\tv2\n", consume("-partition", "0", "-offset", "2", "-max", "1", "-print-key", "-print-offset"))
	require.Equal(t, "1 0\tnull\tplain1\n", consume("-partition", "1", "-from-beginning", "-max", "1", "-print-key", "-print-offset"))

	all := lines(consume("-from-beginning", "-timeout", "300ms"))
	require.Len(t, all, 13)

	// -timeout ends an idle consume normally; by default it starts at the
	// end, so it sees nothing.
	start := time.Now()
	r := logctl(t, reg, "", "consume", "-topic", "c", "-timeout", "300ms")
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stdout)
	require.Contains(t, r.stderr, "Processed a total of 0 messages")
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	require.Less(t, time.Since(start), 10*time.Second)

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-offset", "3"}, 2, "-offset needs -partition"},
		{[]string{"-offset", "3", "-partition", "0", "-from-beginning"}, 2, "exclude"},
		{[]string{"-offset", "-1", "-partition", "0"}, 2, "offsets start at 0"},
		{[]string{"-offset", "100", "-partition", "0"}, 1, "out of range"},
		{[]string{"-partition", "2", "-max", "1"}, 1, `logctl: consume: topic: "c" has no partition 2 (it has 2)`},
		{[]string{"-partition", "3000000000", "-max", "1"}, 1, `logctl: consume: topic: unknown partition 3000000000 of "c" (it has 2)`},
	} {
		r := logctl(t, reg, "", append([]string{"consume", "-topic", "c"}, c.args...)...)
		require.Equal(t, c.code, r.code, "%q: %s", c.args, r.stderr)
		require.Contains(t, r.stderr, c.msg, "%q", c.args)
	}
	r = logctl(t, reg, "", "consume", "-topic", "nope", "-max", "1")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, `logctl: consume: topic: unknown topic "nope"`)
	r = logctl(t, reg, "x\n", "produce", "-topic", "nope")
	require.Equal(t, 1, r.code)
	require.Equal(t, "logctl: produce: topic: unknown topic \"nope\" (create it with 'logctl topics create nope')\n", r.stderr)
}

func TestProduceLongLines(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "big", "-max-message-bytes", "512KiB")
	long := strings.Repeat("x", 100<<10) // past bufio's and logctl's buffers
	tooLong := strings.Repeat("y", 600<<10)
	in := "short\n" + long + "\n" + tooLong + "\r\n" + "crlf\r\n\n" + "last without newline"
	r := logctl(t, reg, in, "produce", "-topic", "big", "-report")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "line 3: longer than the topic's max.message.bytes of 524288")
	require.Contains(t, r.stderr, "1 of 6 lines not produced")
	require.Equal(t, "0 0\n0 1\n0 2\n0 3\n0 4\n", r.stdout)

	out := mustRun(t, reg, "", "consume", "-topic", "big", "-from-beginning", "-max", "5")
	require.Equal(t, "short\n"+long+"\ncrlf\n\nlast without newline\n", out)
}

func TestDump(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "d", "-compression", "zstd")
	for run := range 3 {
		var in strings.Builder
		for i := range 5 {
			fmt.Fprintf(&in, "run %d line %d\n", run, i)
		}
		mustRun(t, reg, in.String(), "produce", "-topic", "d")
	}
	seg := segmentPath(reg, "d", 0, 0)
	out := mustRun(t, "ignored", "", "dump", seg)
	ls := lines(out)
	require.True(t, strings.HasPrefix(ls[0], "Dumping "+seg+" ("), ls[0])
	batchRe := regexp.MustCompile(`^baseOffset: (\d+) lastOffset: (\d+) count: (\d+) position: (\d+) size: (\d+) leaderEpoch: 0 ` +
		`firstTimestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z maxTimestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ` +
		`codec: zstd timestampType: CreateTime crc: 0x[0-9a-f]{8} ok$`)
	var next, pos, records int64
	var sizes []int64
	for _, l := range ls[1 : len(ls)-1] {
		m := batchRe.FindStringSubmatch(l)
		require.NotNil(t, m, l)
		n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
		require.Equal(t, next, n(1), "offsets follow on")
		require.Equal(t, pos, n(4), "batches follow on")
		require.Equal(t, n(2)-n(1)+1, n(3))
		next, pos, records = n(2)+1, pos+n(5), records+n(3)
		sizes = append(sizes, n(5))
	}
	require.Equal(t, int64(15), records)
	require.GreaterOrEqual(t, len(sizes), 3) // each produce writes at least one batch
	require.Equal(t, fmt.Sprintf("%d batches, 15 records in valid batches, %d of %d bytes in valid batches", len(sizes), pos, pos), ls[len(ls)-1])

	withRecords := mustRun(t, reg, "", "dump", "-records", seg)
	require.Contains(t, withRecords, `| offset: 0 timestamp: `)
	require.Contains(t, withRecords, `key: null value: "run 0 line 0" headers: 0`)
	require.Contains(t, withRecords, `value: "run 2 line 4"`)

	// A flipped byte inside the first batch's CRC range: that batch is
	// BAD, the dump goes on past it, and the exit status says so.
	bad := filepath.Join(t.TempDir(), "00000000000000000000.log")
	data, err := os.ReadFile(seg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bad, data, 0o644))
	flipByte(t, bad, crcCoveredByte)
	r := logctl(t, reg, "", "dump", bad)
	require.Equal(t, 1, r.code)
	ls = lines(r.stdout)
	require.Regexp(t, `^baseOffset: 0 .* crc: 0x[0-9a-f]{8} BAD: crc mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}$`, ls[1])
	require.True(t, strings.HasSuffix(ls[2], " ok"), ls[2])
	require.Contains(t, r.stderr, "damage in 1 of 1 files")

	// A torn tail: the last batch lacks its last bytes.
	torn := filepath.Join(t.TempDir(), "00000000000000000000.log")
	require.NoError(t, os.WriteFile(torn, data[:len(data)-3], 0o644))
	r = logctl(t, reg, "", "dump", torn)
	require.Equal(t, 1, r.code)
	lastPos := pos - sizes[len(sizes)-1]
	require.Contains(t, r.stdout, fmt.Sprintf("BAD: torn tail at byte %d: the batch there declares %d bytes, the file ends after %d",
		lastPos, sizes[len(sizes)-1], sizes[len(sizes)-1]-3))

	// Index files are not batches.
	r = logctl(t, reg, "", "dump", filepath.Join(reg, "d-0", "00000000000000000000.index"))
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "is an index")
}

func TestVerify(t *testing.T) {
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "v", "-partitions", "3", "-segment-bytes", "2KiB")
	mustRun(t, reg, "", "topics", "create", "w", "-compression", "lz4") // for -deep to decompress
	for run := range 6 {
		var in strings.Builder
		for i := range 60 {
			fmt.Fprintf(&in, "key-%d:run %d, a value long enough to fill segments quickly %d\n", i%7, run, i)
		}
		mustRun(t, reg, in.String(), "produce", "-topic", "v", "-key-separator", ":")
	}
	mustRun(t, reg, "one\ntwo\n", "produce", "-topic", "w")

	partitionLine := regexp.MustCompile(`^(\S+): (OK|CORRUPT): segments (\d+), batches (\d+), records (\d+), bytes (\d+)(: .*)?$`)
	check := func(out string) map[string][]string {
		got := map[string][]string{}
		for _, l := range lines(out) {
			if m := partitionLine.FindStringSubmatch(l); m != nil {
				got[m[1]] = m[2:]
			}
		}
		return got
	}
	out := mustRun(t, reg, "", "verify")
	got := check(out)
	require.Len(t, got, 4, out)
	var records, maxSegments int
	for name, m := range got {
		require.Equal(t, "OK", m[0], name)
		n, _ := strconv.Atoi(m[3])
		records += n
		s, _ := strconv.Atoi(m[1])
		maxSegments = max(maxSegments, s)
	}
	require.Equal(t, 6*60+2, records)
	require.Greater(t, maxSegments, 1, "the test means to verify across segments:\n%s", out)
	require.True(t, strings.HasSuffix(out, "verified 2 topics, 4 partitions: OK\n"), out)
	require.Equal(t, out, mustRun(t, reg, "", "verify", "-deep"))
	require.Len(t, check(mustRun(t, reg, "", "verify", "w")), 1)

	// verify takes no lock: it runs while the registry is open elsewhere,
	// where the commands that write cannot.
	open, err := topic.Open(reg, topic.Options{})
	require.NoError(t, err)
	require.Equal(t, out, mustRun(t, reg, "", "verify"))
	r := logctl(t, reg, "", "topics", "create", "x")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "in use by another process")
	require.NoError(t, open.Close())

	// It runs on a copy as well.
	cp := t.TempDir()
	require.NoError(t, os.CopyFS(cp, os.DirFS(reg)))
	require.Equal(t, out, mustRun(t, cp, "", "verify"))

	// A flipped byte: the partition is CORRUPT, the file is named, the
	// others stay OK, and nothing is repaired.
	flipByte(t, segmentPath(cp, "v", 1, 0), crcCoveredByte)
	r = logctl(t, cp, "", "verify")
	require.Equal(t, 1, r.code, r.stderr)
	got = check(r.stdout)
	require.Equal(t, "CORRUPT", got["v-1"][0], r.stdout)
	require.Regexp(t, `^: v-1/00000000000000000000\.log: corrupt batch at byte 0: crc mismatch`, got["v-1"][5])
	for _, name := range []string{"v-0", "v-2", "w-0"} {
		require.Equal(t, "OK", got[name][0], name)
	}
	require.Contains(t, r.stdout, "verified 2 topics, 4 partitions: 1 CORRUPT\n")
	require.Contains(t, r.stderr, "logctl: verify: damage in 1 of 4 partitions")

	// A torn tail: a few bytes off the last batch of the last segment.
	dir := filepath.Join(cp, "v-2")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var lastLog string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".log") {
			lastLog = filepath.Join(dir, e.Name()) // sorted: the last is the newest
		}
	}
	fi, err := os.Stat(lastLog)
	require.NoError(t, err)
	require.Greater(t, fi.Size(), int64(3))
	require.NoError(t, os.Truncate(lastLog, fi.Size()-3))
	r = logctl(t, cp, "", "verify", "v")
	require.Equal(t, 1, r.code)
	got = check(r.stdout)
	require.Len(t, got, 3)
	require.Equal(t, "CORRUPT", got["v-2"][0], r.stdout)
	require.Contains(t, got["v-2"][5], "v-2/"+filepath.Base(lastLog)+": torn tail at byte ")
	fi2, err := os.Stat(lastLog)
	require.NoError(t, err)
	require.Equal(t, fi.Size()-3, fi2.Size(), "verify must not repair")

	// An invalid name is a usage error; an unknown one a failure.
	require.Equal(t, 2, logctl(t, cp, "", "verify", "../x").code)
	r = logctl(t, cp, "", "verify", "nope")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, `logctl: verify: topic: unknown topic "nope": no metadata file in `)
	r = logctl(t, filepath.Join(cp, "missing"), "", "verify")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "does not exist")
}

// started is a logctl process running in the background.
type started struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr bytes.Buffer
}

// start starts logctl -dir dir args, with pipes to its stdin and stdout.
func start(t *testing.T, dir string, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	s := &started{cmd: exec.CommandContext(ctx, logctlPath(t), append([]string{"-dir", dir}, args...)...)}
	s.cmd.Env = append(os.Environ(), "LOGCTL_DIR=", "GORACE=atexit_sleep_ms=0")
	s.cmd.Stderr = &s.stderr
	var err error
	s.stdin, err = s.cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := s.cmd.StdoutPipe()
	require.NoError(t, err)
	s.stdout = bufio.NewReader(stdout)
	require.NoError(t, s.cmd.Start())
	t.Cleanup(func() { s.stdin.Close(); s.cmd.Process.Kill(); s.cmd.Wait() })
	return s
}

// readLines reads n lines of the process's stdout.
func (s *started) readLines(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for range n {
		l, err := s.stdout.ReadString('\n')
		if err != nil {
			s.cmd.Process.Kill()
			s.cmd.Wait() // stderr is complete once Wait returns
			t.Fatalf("reading stdout: %v; stderr: %s", err, s.stderr.String())
		}
		b.WriteString(l)
	}
	return b.String()
}

// stop sends sig and returns the exit status.
func (s *started) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(sig))
	err := s.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

func TestSignalsEndConsumeAndProduce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "s")
	mustRun(t, reg, "a\nb\nc\n", "produce", "-topic", "s")

	// consume waits forever by default: SIGINT ends it normally, with
	// what it read printed.
	c := start(t, reg, "consume", "-topic", "s", "-from-beginning")
	require.Equal(t, "a\nb\nc\n", c.readLines(t, 3))
	require.Equal(t, 0, c.stop(t, os.Interrupt), c.stderr.String())
	require.Contains(t, c.stderr.String(), "Processed a total of 3 messages")

	// produce: SIGTERM stops reading; what was read is stored; the exit
	// status says the input was not all read.
	p := start(t, reg, "produce", "-topic", "s", "-report")
	_, err := io.WriteString(p.stdin, "d\ne\n")
	require.NoError(t, err)
	require.Equal(t, "0 3\n0 4\n", p.readLines(t, 2))
	require.Equal(t, 1, p.stop(t, syscall.SIGTERM))
	require.Contains(t, p.stderr.String(), "logctl: produce: interrupted: 2 lines read, 2 acknowledged, 0 not produced")

	require.Equal(t, "a\nb\nc\nd\ne\n", mustRun(t, reg, "", "consume", "-topic", "s", "-from-beginning", "-max", "5"))
}
