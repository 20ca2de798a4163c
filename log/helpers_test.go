package log

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// fsCase is a filesystem a test runs on: the real one in a temporary
// directory, and the in-memory one.
type fsCase struct {
	name string
	make func(t *testing.T) (vfs.FS, string)
}

var fsCases = []fsCase{
	{"os", func(t *testing.T) (vfs.FS, string) { return vfs.Default, filepath.Join(t.TempDir(), "p-0") }},
	{"mem", func(t *testing.T) (vfs.FS, string) {
		m := vfs.NewMem()
		require.NoError(t, m.MkdirAll("/data", 0o755))
		return m, "/data/p-0"
	}},
}

func forEachFS(t *testing.T, fn func(t *testing.T, fsys vfs.FS, dir string)) {
	for _, c := range fsCases {
		t.Run(c.name, func(t *testing.T) {
			fsys, dir := c.make(t)
			fn(t, fsys, dir)
		})
	}
}

func mustOpen(t *testing.T, dir string, opts Options) *Log {
	t.Helper()
	l, err := Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

// rec returns record i of a deterministic sequence.
func rec(i int64) record.Record {
	return record.Record{
		Timestamp: 1_700_000_000_000 + i*10,
		Key:       fmt.Appendf(nil, "k%d", i),
		Value:     fmt.Appendf(nil, "value-%08d", i),
	}
}

// appendN appends records [from, from+n) in batches of per records.
func appendN(t *testing.T, l *Log, from, n, per int64) {
	t.Helper()
	for i := from; i < from+n; i += per {
		recs := make([]record.Record, 0, per)
		for j := i; j < min(i+per, from+n); j++ {
			recs = append(recs, rec(j))
		}
		info, err := l.AppendRecords(recs...)
		require.NoError(t, err)
		require.Equal(t, i, info.FirstOffset)
	}
}

// readAll returns the values of every record from offset on.
func readAll(t *testing.T, l *Log, offset int64) []string {
	t.Helper()
	r := l.NewReader(offset)
	var out []string
	for r.Next() {
		rr := r.Record()
		require.Equal(t, offset+int64(len(out)), rr.Offset)
		out = append(out, string(rr.Value))
	}
	require.NoError(t, r.Err())
	return out
}

func values(from, n int64) []string {
	out := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		out = append(out, string(rec(i).Value))
	}
	return out
}

// followerBatchOfEpoch encodes records rec(offset), rec(offset+1), ... into
// one batch at offset stamped with leader epoch epoch, as a leader's log
// would hand it to a follower.
func followerBatchOfEpoch(t *testing.T, offset int64, n int, epoch int32) []byte {
	t.Helper()
	b := record.NewBuilder()
	b.SetBaseOffset(offset)
	b.SetPartitionLeaderEpoch(epoch)
	for i := range n {
		b.Append(rec(offset + int64(i)))
	}
	data, err := b.Build()
	require.NoError(t, err)
	return append([]byte(nil), data...)
}
