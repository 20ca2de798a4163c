package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunTwice runs the example twice on one directory: the second run
// replays the first one's events from its snapshot, and run checks that
// each restart rebuilds the state it had before.
func TestRunTwice(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, run(dir))
	require.NoError(t, run(dir))
}
