package log

import (
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
	require.NoError(t, writeEpochCheckpoint(vfs.Default, dir, []epochEntry{{1, 0}, {2, 10}, {3, 50}}))
	l = mustOpen(t, dir, Options{})
	require.Equal(t, []epochEntry{{1, 0}}, l.epochs.entries())

	// An unreadable checkpoint is treated as absent.
	require.NoError(t, l.Close())
	require.NoError(t, writeFileAtomic(vfs.Default, dir, epochCheckpointName, []byte("junk")))
	l = mustOpen(t, dir, Options{})
	require.Empty(t, l.epochs.entries())
}
