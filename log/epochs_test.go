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
		require.Equal(t, []EpochEntry{{3, 0}, {5, 10}}, l.epochs.entries())

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
		require.Equal(t, []EpochEntry{{3, 0}, {5, 10}}, l.epochs.entries(), "the history survives a reopen")
		require.Equal(t, int32(5), l.LeaderEpoch())

		require.NoError(t, l.TruncateTo(12))
		require.Equal(t, int64(10), l.LogEndOffset())
		require.Equal(t, []EpochEntry{{3, 0}}, l.epochs.entries(), "truncation drops the epochs it removed")
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
	require.Equal(t, []EpochEntry{{1, 0}, {2, 6}, {4, 12}}, l.epochs.entries())
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
	require.NoError(t, writeEpochCheckpoint(vfs.Default, dir, []EpochEntry{{1, 0}, {2, 11}, {3, 50}}))
	l = mustOpen(t, dir, Options{})
	require.Equal(t, []EpochEntry{{1, 0}}, l.epochs.entries())

	// An unreadable checkpoint is treated as absent, and the history is
	// rebuilt from the batches.
	require.NoError(t, l.Close())
	require.NoError(t, vfs.WriteFileAtomic(vfs.Default, filepath.Join(dir, epochCheckpointName), []byte("junk")))
	l = mustOpen(t, dir, Options{})
	require.Equal(t, []EpochEntry{{1, 0}}, l.epochs.entries())
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
	want := []EpochEntry{{3, 0}, {5, 100}}
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
	require.NoError(t, writeEpochCheckpoint(vfs.Default, dir, []EpochEntry{{3, 0}}))
	l = mustOpen(t, dir, opts)
	got := l.epochs.entries()
	require.Equal(t, EpochEntry{3, 0}, got[0])
	require.Equal(t, EpochEntry{4, 200}, got[len(got)-1], "the follower batches' epoch, recovered from the batches")
}

// TestTruncateToEndOffsetClearsEpochCache is Kafka's
// UnifiedLogTest.testTruncateToEndOffsetClearsEpochCache: a replica that
// became leader of an epoch recorded it at the log end before any record
// of it came; truncating to the log end or past it, as a follower again,
// drops that entry, and leaves the records alone.
func TestTruncateToEndOffsetClearsEpochCache(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	_, err := l.AppendFollower(followerBatchOfEpoch(t, 27, 2, 19))
	require.NoError(t, err)
	require.Equal(t, []EpochEntry{{19, 27}}, l.Epochs())
	require.Equal(t, int64(29), l.LogEndOffset())
	for _, c := range []struct {
		epoch  int32
		offset int64
	}{{20, 29}, {24, 30}} {
		require.NoError(t, l.SetLeaderEpoch(c.epoch))
		require.Equal(t, []EpochEntry{{19, 27}, {c.epoch, 29}}, l.Epochs())
		require.NoError(t, l.TruncateTo(c.offset))
		require.Equal(t, []EpochEntry{{19, 27}}, l.Epochs(), "truncating to %d", c.offset)
		require.Equal(t, int64(29), l.LogEndOffset())
		latest, ok := l.LatestEpoch()
		require.True(t, ok)
		require.Equal(t, int32(19), latest, "the latest epoch of the records")
		require.Equal(t, c.epoch, l.LeaderEpoch(), "the epoch set to stamp stays")
	}
	require.NoError(t, l.Close())
	l = mustOpen(t, l.Dir(), Options{})
	require.Equal(t, []EpochEntry{{19, 27}}, l.Epochs(), "and so does the checkpoint")
}

// TestDivergenceAfterATruncationToTheEnd follows a leader through epochs
// 18 and 19, becomes leader of epoch 20 without appending, truncates to
// its end as a follower again and copies another batch of epoch 19. Asked
// where epoch 18 ended, it must answer 27, where 19 began: an answer of
// 29 would make a replica keep records of epoch 18's divergent end.
func TestDivergenceAfterATruncationToTheEnd(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	require.NoError(t, l.TruncateFullyAndStartAt(25))
	for _, b := range [][]byte{followerBatchOfEpoch(t, 25, 2, 18), followerBatchOfEpoch(t, 27, 2, 19)} {
		_, err := l.AppendFollower(b)
		require.NoError(t, err)
	}
	require.NoError(t, l.SetLeaderEpoch(20))
	require.NoError(t, l.TruncateTo(29))
	_, err := l.AppendFollower(followerBatchOfEpoch(t, 29, 1, 19))
	require.NoError(t, err)
	epoch, end := l.EndOffsetForEpoch(18)
	require.Equal(t, int32(18), epoch)
	require.Equal(t, int64(27), end)
	epoch, end = l.EndOffsetForEpoch(19)
	require.Equal(t, int32(19), epoch)
	require.Equal(t, int64(30), end)
	require.Equal(t, []EpochEntry{{18, 25}, {19, 27}}, l.Epochs())
}
