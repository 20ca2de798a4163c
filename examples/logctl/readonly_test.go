package main

import (
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadOnlyCommandsBesideAWriter runs the commands that write nothing
// while a produce in another process holds the registry: they run, and see
// what the writer has stored; those that write are refused; and the writer
// goes on undisturbed.
func TestReadOnlyCommandsBesideAWriter(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	t.Parallel()
	reg := t.TempDir()
	mustRun(t, reg, "", "topics", "create", "s", "-partitions", "2")
	mustRun(t, reg, "old\n", "produce", "-topic", "s", "-partition", "0")
	mustRun(t, reg, "", "consume", "-topic", "s", "-group", "g", "-from-beginning", "-max", "1")

	// A produce holds the registry's lock while it waits for input.
	p := start(t, reg, "produce", "-topic", "s", "-partition", "1", "-report")
	_, err := io.WriteString(p.stdin, "new-1\nnew-2\n")
	require.NoError(t, err)
	require.Equal(t, "1 0\n1 1\n", p.readLines(t, 2))

	for _, args := range [][]string{
		{"topics", "create", "u"},
		{"topics", "alter", "s", "-set", "retention.ms=-1"},
		{"topics", "delete", "s"},
		{"consume", "-topic", "s", "-group", "g", "-max", "1"},
	} {
		r := logctl(t, reg, "", args...)
		require.Equal(t, 1, r.code, "%q", args)
		require.Contains(t, r.stderr, "is in use by another process, and this command changes it", "%q", args)
	}

	require.Equal(t, "s\n", mustRun(t, reg, "", "topics", "list"))
	require.Equal(t, "g\n", mustRun(t, reg, "", "groups", "list"))
	groupRows, gout := describeGroup(t, reg, "g")
	require.Equal(t, map[string]groupRow{"s-0": {1, 1, 0}, "s-1": {0, 2, 2}}, groupRows, gout, "the lag counts the writer's records")
	desc := mustRun(t, reg, "", "topics", "describe", "s")
	rows := lines(desc[strings.Index(desc, "Partition "):])[1:]
	require.Len(t, rows, 2, desc)
	require.Equal(t, "1", strings.Fields(rows[0])[2], "partition 0's high watermark: %s", desc)
	require.Equal(t, "2", strings.Fields(rows[1])[2], "partition 1's high watermark: %s", desc)
	out := mustRun(t, reg, "", "consume", "-topic", "s", "-from-beginning", "-timeout", "300ms", "-print-offset")
	require.ElementsMatch(t, []string{"0 0\told", "1 0\tnew-1", "1 1\tnew-2"}, lines(out))

	// A consume that keeps running does not stop the writer either.
	c := start(t, reg, "consume", "-topic", "s", "-partition", "1", "-from-beginning")
	require.Equal(t, "new-1\nnew-2\n", c.readLines(t, 2))
	_, err = io.WriteString(p.stdin, "new-3\n")
	require.NoError(t, err)
	require.Equal(t, "1 2\n", p.readLines(t, 1))
	require.Equal(t, 0, c.stop(t, os.Interrupt), c.stderr.String())
	require.Contains(t, c.stderr.String(), "Processed a total of 2 messages")
	require.NoError(t, p.stdin.Close())
	require.NoError(t, p.cmd.Wait(), p.stderr.String())

	require.Equal(t, "new-1\nnew-2\nnew-3\n", mustRun(t, reg, "", "consume", "-topic", "s", "-partition", "1", "-from-beginning", "-max", "3"))
	require.Contains(t, mustRun(t, reg, "", "verify"), "verified 1 topic, 2 partitions: OK")
}
