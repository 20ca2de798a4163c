package partition

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestReadOnlyPartition opens, read-only, a partition whose writer did not
// shut down cleanly: not durable, it serves every record its files hold;
// durable, only those below the checkpointed recovery point, which were
// on stable storage. Nothing can change it, and no file changes.
func TestReadOnlyPartition(t *testing.T) {
	m, opts := memOptions(t)
	const dir = "/data/orders-3"
	opts.Log.SegmentBytes = 1 << 10
	w := mustOpen(t, dir, opts)
	for i := range 100 {
		_, err := w.AppendRecords(rec(i))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	require.NoError(t, m.Remove(filepath.Join(dir, ".clean-shutdown")))
	require.NoError(t, vfs.WriteFileAtomic(m, filepath.Join(dir, "recovery-point-offset-checkpoint"), []byte("0\n40\n")))
	before := snapshot(t, m, dir)

	for _, durable := range []bool{false, true} {
		ro := opts
		ro.Durable = durable
		ro.Log.ReadOnly = true
		p := mustOpen(t, dir, ro)
		want := int64(100)
		if durable {
			want = 40
		}
		require.Equal(t, want, p.HighWatermark(), "durable=%v", durable)
		require.Equal(t, int64(100), p.LogEndOffset())
		require.Len(t, readAll(t, p.NewReader(0)), int(want))
		listed, _, err := p.ListOffset(log.LatestTimestamp)
		require.NoError(t, err)
		require.Equal(t, want, listed.Offset)
		_, info, err := p.Read(nil, want, ReadOptions{Isolation: UpToLogEnd})
		require.NoError(t, err)
		require.Equal(t, int64(100), info.LogEndOffset, "a replica's read sees the log end")

		_, err = p.AppendRecords(rec(0))
		require.ErrorIs(t, err, ErrReadOnly)
		_, err = p.Append(append([]byte(nil), batchOf(t, rec(0))...))
		require.ErrorIs(t, err, ErrReadOnly)
		_, err = p.DeleteRecordsBefore(10)
		require.ErrorIs(t, err, ErrReadOnly)
		_, err = p.EnforceRetention()
		require.ErrorIs(t, err, ErrReadOnly)
		require.ErrorIs(t, p.Sync(t.Context()), ErrReadOnly)
		require.NoError(t, p.Close())
	}
	require.Equal(t, before, snapshot(t, m, dir), "files changed")

	// After a clean shutdown everything is durable.
	w = mustOpen(t, dir, opts)
	require.NoError(t, w.Close())
	ro := opts
	ro.Durable, ro.Log.ReadOnly = true, true
	p := mustOpen(t, dir, ro)
	require.Equal(t, int64(100), p.HighWatermark())
}

func snapshot(t *testing.T, fsys vfs.FS, dir string) map[string][]byte {
	t.Helper()
	names, err := fsys.List(dir)
	require.NoError(t, err)
	out := make(map[string][]byte)
	for _, name := range names {
		data, err := vfs.ReadFile(fsys, filepath.Join(dir, name), 1<<30)
		require.NoError(t, err)
		out[name] = data
	}
	return out
}

func batchOf(t *testing.T, records ...record.Record) []byte {
	t.Helper()
	b := record.NewBuilder()
	for _, r := range records {
		b.Append(r)
	}
	data, err := b.Build()
	require.NoError(t, err)
	return data
}
