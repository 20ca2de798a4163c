package partition

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/checkpoint"
	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// followerBatch is a batch as a leader stored it: n records from base, in
// epoch.
func followerBatch(t *testing.T, base int64, n int, epoch int32) []byte {
	t.Helper()
	b := record.NewBuilder()
	b.SetBaseOffset(base)
	for i := range n {
		b.Append(rec(int(base) + i))
	}
	data, err := b.Build()
	require.NoError(t, err)
	out := record.Batch(slices.Clone(data))
	out.SetPartitionLeaderEpoch(epoch)
	return out
}

func appendN(t *testing.T, p *Partition, n int) {
	t.Helper()
	for i := range n {
		_, err := p.AppendRecords(rec(i))
		require.NoError(t, err)
	}
}

func TestReplicatedAppendsDoNotCommit(t *testing.T) {
	_, opts := memOptions(t)
	opts.Replicated = true
	p := mustOpen(t, "/data/orders-3", opts)
	require.True(t, p.Replicated())
	require.NoError(t, p.SetLeaderEpoch(1))
	appendN(t, p, 5)
	require.Equal(t, int64(0), p.HighWatermark(), "a replicated append is not a commit")
	require.Empty(t, readAll(t, p.NewReader(0)), "readers stop at the high watermark")

	hw, err := p.SetHighWatermark(3)
	require.NoError(t, err)
	require.Equal(t, int64(3), hw)
	require.Equal(t, []string{"v0", "v1", "v2"}, readAll(t, p.NewReader(0)))
	hw, err = p.SetHighWatermark(2)
	require.NoError(t, err)
	require.Equal(t, int64(3), hw, "the high watermark never moves back")
	hw, err = p.SetHighWatermark(50)
	require.NoError(t, err)
	require.Equal(t, int64(5), hw, "nor past the log end")
}

func TestReplicaCallsRefusedOnAnUnreplicatedPartition(t *testing.T) {
	_, opts := memOptions(t)
	p := mustOpen(t, "/data/orders-3", opts)
	appendN(t, p, 3)
	_, err := p.SetHighWatermark(1)
	require.ErrorIs(t, err, ErrNotReplicated)
	_, err = p.AppendFollower(followerBatch(t, 3, 1, 0))
	require.ErrorIs(t, err, ErrNotReplicated)
	require.ErrorIs(t, p.TruncateTo(1), ErrNotReplicated)
	require.ErrorIs(t, p.TruncateBelowHighWatermark(1), ErrNotReplicated)
	require.ErrorIs(t, p.TruncateFullyAndStartAt(9), ErrNotReplicated)
	require.ErrorIs(t, p.CheckpointHighWatermark(), ErrNotReplicated)
	require.ErrorIs(t, p.SetLeaderEpoch(2), ErrNotReplicated)
	require.Equal(t, int64(3), p.HighWatermark())
	require.Equal(t, int64(3), p.LogEndOffset())
}

// TestUseCheckpointToInitializeHighWatermark is Kafka's ReplicaManagerTest
// of the same name, on one partition: a replicated partition reopens with
// the high watermark it checkpointed, not at its log end.
func TestUseCheckpointToInitializeHighWatermark(t *testing.T) {
	_, opts := memOptions(t)
	opts.Replicated = true
	p, err := Open("/data/orders-3", opts)
	require.NoError(t, err)
	require.NoError(t, p.SetLeaderEpoch(1))
	appendN(t, p, 10)
	_, err = p.SetHighWatermark(4)
	require.NoError(t, err)
	require.NoError(t, p.CheckpointHighWatermark())
	_, err = p.SetHighWatermark(6)
	require.NoError(t, err)
	require.NoError(t, p.Close(), "Close checkpoints the high watermark")

	p = mustOpen(t, "/data/orders-3", opts)
	require.Equal(t, int64(6), p.HighWatermark())
	require.Equal(t, int64(10), p.LogEndOffset())
	require.Equal(t, []string{"v0", "v1", "v2", "v3", "v4", "v5"}, readAll(t, p.NewReader(0)))
}

func TestReplicatedOpenWithoutOrOutsideTheCheckpoint(t *testing.T) {
	m, opts := memOptions(t)
	opts.Replicated = true
	p, err := Open("/data/orders-3", opts)
	require.NoError(t, err)
	require.NoError(t, p.SetLeaderEpoch(1))
	appendN(t, p, 10)
	_, err = p.DeleteRecordsBefore(0)
	require.NoError(t, err)
	require.NoError(t, p.log.Close()) // closed without a checkpoint, as by a crash
	p.closed.Store(true)

	p = mustOpen(t, "/data/orders-3", opts)
	require.Equal(t, int64(0), p.HighWatermark(), "no checkpoint: the log start, never the log end")
	require.NoError(t, p.Close())

	// A checkpoint past the log end (a crash cut the log below it) is
	// held to the end; one below the log start to the start.
	path := "/data/orders-3/" + highWatermarkFile
	require.NoError(t, checkpoint.WriteOffset(m, path, 99))
	p = mustOpen(t, "/data/orders-3", opts)
	require.Equal(t, int64(10), p.HighWatermark())
	_, err = p.SetHighWatermark(8)
	require.NoError(t, err)
	_, err = p.DeleteRecordsBefore(7)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.NoError(t, checkpoint.WriteOffset(m, path, 2))
	p = mustOpen(t, "/data/orders-3", opts)
	require.Equal(t, int64(7), p.HighWatermark())
	require.NoError(t, p.Close())

	// An unreadable checkpoint is the log start, and says so.
	require.NoError(t, vfs.WriteFileAtomic(m, path, []byte("garbage")))
	logger, lines := logcapture.New()
	opts.Log.Logger = logger
	p = mustOpen(t, "/data/orders-3", opts)
	require.Equal(t, int64(7), p.HighWatermark())
	require.Len(t, lines.Find("high watermark checkpoint unreadable: starting at the log start"), 1)
}

func TestAwaitCommitInOffsetOrder(t *testing.T) {
	_, opts := memOptions(t)
	opts.Replicated = true
	p := mustOpen(t, "/data/orders-3", opts)
	require.NoError(t, p.SetLeaderEpoch(1))
	appendN(t, p, 10)

	var got []string
	await := func(name string, end int64) {
		p.AwaitCommit(end, func(err error) {
			if err != nil {
				name += ":" + err.Error()
			}
			got = append(got, name)
		})
	}
	await("a5", 5)
	await("b3", 3)
	await("c3", 3)
	await("d10", 10)
	await("e0", 0) // already committed: at once
	require.Equal(t, []string{"e0"}, got)

	_, err := p.SetHighWatermark(4)
	require.NoError(t, err)
	require.Equal(t, []string{"e0", "b3", "c3"}, got, "ends in order, equal ends in call order")

	// A callback may wait again and move the high watermark: its own
	// callbacks run after it returns, still in order.
	p.AwaitCommit(6, func(error) {
		got = append(got, "f6")
		await("g7", 7)
		_, err := p.SetHighWatermark(7)
		require.NoError(t, err)
		got = append(got, "f6-end")
	})
	_, err = p.SetHighWatermark(6)
	require.NoError(t, err)
	require.Equal(t, []string{"e0", "b3", "c3", "a5", "f6", "f6-end", "g7"}, got)

	boom := errors.New("leadership lost")
	p.FailCommits(boom)
	require.Equal(t, "d10:leadership lost", got[len(got)-1])
	await("h10", 10)
	_, err = p.SetHighWatermark(10)
	require.NoError(t, err)
	require.Equal(t, "h10", got[len(got)-1], "waiters after FailCommits wait as before")

	await("i11", 11)
	require.NoError(t, p.Close())
	require.Contains(t, got[len(got)-1], "i11:")
	require.Contains(t, got[len(got)-1], ErrClosed.Error())
	var closedErr error
	p.AwaitCommit(11, func(err error) { closedErr = err })
	require.ErrorIs(t, closedErr, ErrClosed, "after Close a waiter fails at once")
}

func TestAwaitCommitUnreplicated(t *testing.T) {
	_, opts := memOptions(t)
	p := mustOpen(t, "/data/orders-3", opts)
	appendN(t, p, 2)
	var done []int64
	p.AwaitCommit(2, func(err error) { require.NoError(t, err); done = append(done, 2) })
	require.Equal(t, []int64{2}, done, "an unreplicated append is committed")
	p.AwaitCommit(3, func(err error) { require.NoError(t, err); done = append(done, 3) })
	require.Equal(t, []int64{2}, done)
	appendN(t, p, 1)
	require.Equal(t, []int64{2, 3}, done)
}

// TestAwaitCommitOrderUnderRace moves the high watermark from several
// goroutines while one adds callbacks in offset order, as a producer's
// writer does: every callback runs once, in that order.
func TestAwaitCommitOrderUnderRace(t *testing.T) {
	_, opts := memOptions(t)
	opts.Replicated = true
	p := mustOpen(t, "/data/orders-3", opts)
	require.NoError(t, p.SetLeaderEpoch(1))
	const n = 400
	for i := range n {
		_, err := p.AppendRecords(rec(i))
		require.NoError(t, err)
	}
	var mu sync.Mutex
	var order []int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			end := int64(i + 1)
			p.AwaitCommit(end, func(err error) {
				require.NoError(t, err)
				mu.Lock()
				order = append(order, end)
				mu.Unlock()
			})
		}
	})
	for g := range 4 {
		wg.Go(func() {
			for hw := int64(g); hw <= n; hw += 3 {
				_, err := p.SetHighWatermark(hw)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	_, err := p.SetHighWatermark(n)
	require.NoError(t, err)
	require.Len(t, order, n)
	require.True(t, slices.IsSorted(order), "callbacks ran out of offset order")
}

func TestFollowerTruncationsKeepCommittedRecords(t *testing.T) {
	_, opts := memOptions(t)
	opts.Replicated = true
	p := mustOpen(t, "/data/orders-3", opts)
	_, err := p.AppendFollower(followerBatch(t, 0, 5, 1))
	require.NoError(t, err)
	_, err = p.AppendFollower(followerBatch(t, 5, 5, 2))
	require.NoError(t, err)
	require.Equal(t, int64(0), p.HighWatermark(), "a follower append commits nothing")
	epoch, ok := p.LatestEpoch()
	require.True(t, ok)
	require.Equal(t, int32(2), epoch)
	e, end := p.EndOffsetForEpoch(1)
	require.Equal(t, int32(1), e)
	require.Equal(t, int64(5), end)

	_, err = p.SetHighWatermark(6)
	require.NoError(t, err)
	require.ErrorIs(t, p.TruncateTo(5), ErrTruncationBelowHighWatermark)
	require.ErrorIs(t, p.TruncateFullyAndStartAt(3), ErrTruncationBelowHighWatermark)
	require.Equal(t, int64(10), p.LogEndOffset(), "a refused truncation changes nothing")
	_, err = p.AppendFollower(followerBatch(t, 10, 2, 2))
	require.NoError(t, err)
	require.NoError(t, p.TruncateTo(10))
	require.Equal(t, int64(10), p.LogEndOffset())

	// An unclean leader's log ends below this replica's high watermark.
	require.NoError(t, p.TruncateBelowHighWatermark(5))
	require.Equal(t, int64(5), p.LogEndOffset())
	require.Equal(t, int64(5), p.HighWatermark(), "the high watermark follows the cut")

	require.NoError(t, p.TruncateFullyAndStartAt(20))
	require.Equal(t, int64(20), p.LogStartOffset())
	require.Equal(t, int64(20), p.LogEndOffset())
	require.Equal(t, int64(20), p.HighWatermark())
}

// TestAppendRecordsAsFollowerBelowLogStartOffset is Kafka's PartitionTest
// of the same name: an empty follower log whose start lies inside the
// leader's first batch restarts at the batch's base offset and takes it; a
// log that is not empty refuses the batch.
func TestAppendRecordsAsFollowerBelowLogStartOffset(t *testing.T) {
	_, opts := memOptions(t)
	opts.Replicated = true
	p := mustOpen(t, "/data/orders-3", opts)
	require.NoError(t, p.TruncateFullyAndStartAt(3))
	info, err := p.AppendFollower(followerBatch(t, 0, 5, 1))
	require.NoError(t, err)
	require.Equal(t, int64(0), info.FirstOffset)
	require.Equal(t, int64(0), p.LogStartOffset(), "the log restarts at the batch's base")
	require.Equal(t, int64(5), p.LogEndOffset())

	// Not empty: start 10, end 12.
	require.NoError(t, p.TruncateFullyAndStartAt(10))
	_, err = p.AppendFollower(followerBatch(t, 10, 2, 1))
	require.NoError(t, err)
	_, err = p.AppendFollower(followerBatch(t, 8, 5, 1))
	var unexpected *UnexpectedOffsetError
	require.ErrorAs(t, err, &unexpected)
	require.ErrorIs(t, err, ErrUnexpectedOffset)
	require.Equal(t, int64(10), p.LogStartOffset())
	require.Equal(t, int64(12), p.LogEndOffset())

	// Empty, but the batch ends below the start: refused too.
	require.NoError(t, p.TruncateFullyAndStartAt(30))
	_, err = p.AppendFollower(followerBatch(t, 20, 5, 1))
	require.ErrorAs(t, err, &unexpected)
	require.Equal(t, int64(30), p.LogStartOffset())
	require.Equal(t, int64(30), p.LogEndOffset())
}

func TestWaitLogEndSeesUncommittedRecords(t *testing.T) {
	_, opts := memOptions(t)
	opts.Replicated = true
	p := mustOpen(t, "/data/orders-3", opts)
	require.NoError(t, p.SetLeaderEpoch(1))
	done := make(chan error, 1)
	go func() { done <- p.WaitLogEnd(t.Context(), 0) }()
	appendN(t, p, 1)
	require.NoError(t, <-done)
	require.Equal(t, int64(0), p.HighWatermark(), "the log end moved, the high watermark did not")
}
