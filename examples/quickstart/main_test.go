package main

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunTwice runs the quickstart twice on one directory: the second run
// finds the topics the first created, and reads back both runs' signups.
func TestRunTwice(t *testing.T) {
	dir := t.TempDir()
	first := captureStdout(t, func() error { return run(dir) })
	require.Equal(t, 1, strings.Count(first, "user-1=signed up"), first)
	require.Contains(t, first, `created "page-views"`)
	second := captureStdout(t, func() error { return run(dir) })
	require.Equal(t, 2, strings.Count(second, "user-1=signed up"), second)
	require.Contains(t, second, `found "page-views"`)
	require.Contains(t, second, "the subscriber saw 200 views")
}

// TestReadmeUsageIsSignups checks that the README's usage example is the
// body of signups, so that what the README shows compiles and runs.
func TestReadmeUsageIsSignups(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "## Usage\n")
	require.True(t, ok, "README has a Usage section")
	_, after, ok = strings.Cut(after, "```go\n")
	require.True(t, ok, "Usage has a Go block")
	block, _, ok := strings.Cut(after, "```\n")
	require.True(t, ok)

	src, err := os.ReadFile("signups.go")
	require.NoError(t, err)
	var indented strings.Builder
	for _, line := range strings.SplitAfter(block, "\n") {
		if strings.TrimSpace(line) != "" {
			indented.WriteString("\t")
		}
		indented.WriteString(line)
	}
	require.Contains(t, string(src), "func signups(ctx context.Context, dir string) error {\n"+indented.String()+"\treturn nil\n}\n",
		"the README's usage example and signups.go differ")
}

// captureStdout runs fn with os.Stdout going to a pipe and returns what
// it printed.
func captureStdout(t *testing.T, fn func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	out := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	stdout := os.Stdout
	os.Stdout = w
	err = fn()
	os.Stdout = stdout
	w.Close()
	printed := <-out
	require.NoError(t, err, printed)
	return printed
}
