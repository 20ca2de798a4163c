package log

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

func TestLeaderEpochHistory(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		opts := Options{FS: fsys, SegmentBytes: 2000}
		l, err := Open(dir, opts)
		require.NoError(t, err)
		require.NoError(t, l.SetLeaderEpoch(3))
		appendN(t, l, 0, 10, 5)
		require.NoError(t, l.SetLeaderEpoch(5))
		appendN(t, l, 10, 10, 5)
		require.Equal(t, []epochEntry{{3, 0}, {5, 10}}, l.epochs.entries())

		for _, c := range []struct {
			ask   int32
			epoch int32
			end   int64
		}{{3, 3, 10}, {4, 3, 10}, {5, 5, 20}, {2, 2, 0}, {-1, -1, -1}, {9, -1, -1}} {
			e, end := l.EndOffsetForEpoch(c.ask)
			require.Equal(t, c.epoch, e, "epoch %d", c.ask)
			require.Equal(t, c.end, end, "epoch %d", c.ask)
		}

		// Batches carry the epoch they were appended in.
		data, _, err := l.Read(nil, 0, ReadOptions{MaxBytes: 1 << 20})
		require.NoError(t, err)
		s := record.NewScanner(data, record.CheckAll)
		for s.Next() {
			want := int32(3)
			if s.Batch().BaseOffset() >= 10 {
				want = 5
			}
			require.Equal(t, want, s.Batch().PartitionLeaderEpoch())
		}
		require.NoError(t, l.Close())

		l, err = Open(dir, opts)
		require.NoError(t, err)
		defer l.Close()
		require.Equal(t, []epochEntry{{3, 0}, {5, 10}}, l.epochs.entries(), "the history survives a reopen")
		require.Equal(t, int32(5), l.LeaderEpoch())

		require.NoError(t, l.TruncateTo(12))
		require.Equal(t, int64(10), l.LogEndOffset())
		require.Equal(t, []epochEntry{{3, 0}}, l.epochs.entries(), "truncation drops the epochs it removed")
		e, end := l.EndOffsetForEpoch(3)
		require.Equal(t, int32(3), e)
		require.Equal(t, int64(10), end)

		require.NoError(t, l.TruncateFullyAndStartAt(100))
		require.Empty(t, l.epochs.entries())
	})
}

func TestFollowerAppendRecordsLeaderEpochs(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	b := record.NewBuilder()
	for i, epoch := range []int32{1, 1, 2, 2, 4} {
		b.Reset()
		b.SetBaseOffset(int64(i) * 3)
		b.SetPartitionLeaderEpoch(epoch)
		for j := range 3 {
			b.Append(rec(int64(i*3 + j)))
		}
		batch, err := b.Build()
		require.NoError(t, err)
		_, err = l.AppendFollower(append([]byte(nil), batch...))
		require.NoError(t, err)
	}
	require.Equal(t, []epochEntry{{1, 0}, {2, 6}, {4, 12}}, l.epochs.entries())
	require.Equal(t, int32(4), l.LeaderEpoch())
}

func TestEpochCheckpointFittedToTheLog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	l, err := Open(dir, Options{})
	require.NoError(t, err)
	require.NoError(t, l.SetLeaderEpoch(1))
	appendN(t, l, 0, 10, 10)
	require.NoError(t, l.Close())
	// As a crash could leave it: an epoch written for appends that were
	// lost.
	require.NoError(t, writeEpochCheckpoint(vfs.Default, dir, []epochEntry{{1, 0}, {2, 11}, {3, 50}}))
	l = mustOpen(t, dir, Options{})
	require.Equal(t, []epochEntry{{1, 0}}, l.epochs.entries())

	// An unreadable checkpoint is treated as absent, and the history is
	// rebuilt from the batches.
	require.NoError(t, l.Close())
	require.NoError(t, vfs.WriteFileAtomic(vfs.Default, filepath.Join(dir, epochCheckpointName), []byte("junk")))
	l = mustOpen(t, dir, Options{})
	require.Equal(t, []epochEntry{{1, 0}}, l.epochs.entries())
}

// TestEpochHistoryRebuiltFromBatches loses the checkpoint, or the part of
// it a crash kept from being written, and finds the history rebuilt from
// the epochs the batches carry.
func TestEpochHistoryRebuiltFromBatches(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	opts := Options{SegmentBytes: 1500}
	l, err := Open(dir, opts)
	require.NoError(t, err)
	require.NoError(t, l.SetLeaderEpoch(3))
	appendN(t, l, 0, 100, 10)
	require.NoError(t, l.SetLeaderEpoch(5))
	appendN(t, l, 100, 100, 10)
	want := []epochEntry{{3, 0}, {5, 100}}
	require.Equal(t, want, l.epochs.entries())
	require.NoError(t, l.Close())

	require.NoError(t, os.Remove(filepath.Join(dir, epochCheckpointName)))
	l, err = Open(dir, opts)
	require.NoError(t, err)
	require.Equal(t, want, l.epochs.entries(), "rebuilt from every batch")
	require.Equal(t, int32(5), l.LeaderEpoch())

	// A crash after an append in a new epoch but before its checkpoint:
	// the recovered segments put the epoch back.
	// Batches of epoch 4 at 200: an older epoch at a later offset replaces
	// the entries of epoch 4 and above, as Kafka's assign does.
	require.NoError(t, followerAppend(t, l, 200, 5))
	l.abandon()
	require.NoError(t, writeEpochCheckpoint(vfs.Default, dir, []epochEntry{{3, 0}}))
	l = mustOpen(t, dir, opts)
	got := l.epochs.entries()
	require.Equal(t, epochEntry{3, 0}, got[0])
	require.Equal(t, epochEntry{4, 200}, got[len(got)-1], "the follower batches' epoch, recovered from the batches")
}
