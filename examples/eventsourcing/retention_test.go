package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestImportedEventsSurviveRetention imports events with year-old
// timestamps, runs retention on every partition and restarts: every
// event is replayed. Under the default retention of seven days the
// first pass would delete them all.
func TestImportedEventsSurviveRetention(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, err := openBank(dir)
	require.NoError(t, err)
	yearAgo := time.Now().AddDate(-1, 0, 0)
	const accounts = 20
	for i := range accounts {
		account := fmt.Sprintf("acct-%d", i)
		at := yearAgo.Add(time.Duration(i) * time.Minute)
		require.NoError(t, b.importEvent(ctx, event{Kind: "opened", Account: account}, at))
		require.NoError(t, b.importEvent(ctx, event{Kind: "deposited", Account: account, Amount: 10 + i}, at.Add(time.Second)))
	}
	want := fmt.Sprint(b.state.Balances)
	for _, p := range b.events.Partitions() {
		res, err := p.EnforceRetention()
		require.NoError(t, err)
		require.Zero(t, res.Segments, "partition %d", p.Index())
		require.Zero(t, p.LogStartOffset(), "partition %d", p.Index())
	}
	require.NoError(t, b.close())

	b, err = openBank(dir)
	require.NoError(t, err)
	defer b.close()
	require.Equal(t, 2*accounts, b.replayed, "every imported event is replayed")
	require.Equal(t, want, fmt.Sprint(b.state.Balances))
	require.Negative(t, b.events.Config().RetentionAge)
}
