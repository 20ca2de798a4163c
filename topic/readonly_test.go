package topic

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestReadOnlyRegistry opens a registry read-only while another Registry
// has it open: no lock, the topics and records on disk, every change
// refused with ErrReadOnly, and not a byte written.
func TestReadOnlyRegistry(t *testing.T) {
	ctx := t.Context()
	m, r := memRegistry(t)
	tp, err := r.Create(ctx, "orders", Config{Partitions: 2})
	require.NoError(t, err)
	ledger, err := r.Create(ctx, "ledger", Config{Flush: FlushAlways})
	require.NoError(t, err)
	_, err = ledger.Partitions()[0].AppendRecords(record.Record{Value: []byte("durable")})
	require.NoError(t, err)
	_, err = r.Create(ctx, "audit", Config{})
	require.NoError(t, err)
	_, err = tp.Partitions()[1].AppendRecords(record.Record{Value: []byte("a")}, record.Record{Value: []byte("b")})
	require.NoError(t, err)
	// What interrupted operations leave, which a writable Open would
	// clean up.
	require.NoError(t, writeMetadata(m, "/data", newMetadata("half", stateCreating, newID(), Config{}.withDefaults())))
	require.NoError(t, m.MkdirAll("/data/audit-1", 0o755))
	require.NoError(t, vfs.WriteFileAtomic(m, "/data/orders.topic.tmp", []byte("{")))

	before := m.String()
	ro, err := Open("/data", Options{FS: m, ReadOnly: true})
	require.NoError(t, err, "no lock to conflict with")
	require.True(t, ro.ReadOnly())
	require.Equal(t, []string{"audit", "ledger", "orders"}, names(ro.Topics()), "the interrupted creation is left out")
	d, err := ro.Describe("orders")
	require.NoError(t, err)
	require.Equal(t, int64(2), d.Partitions[1].HighWatermark)
	require.Len(t, d.Partitions, 2)
	d, err = ro.Describe("ledger")
	require.NoError(t, err)
	require.Equal(t, FlushAlways, d.Config.Flush)
	require.True(t, ro.Topics()[1].Partitions()[0].Durable())

	rtp, err := ro.Topic("orders")
	require.NoError(t, err)
	p := rtp.Partitions()[1]
	buf, info, err := p.Read(nil, 0, partition.ReadOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, buf)
	require.Equal(t, int64(2), info.HighWatermark)
	_, err = p.AppendRecords(record.Record{Value: []byte("c")})
	require.ErrorIs(t, err, ErrReadOnly)

	_, err = ro.Create(ctx, "new", Config{})
	require.ErrorIs(t, err, ErrReadOnly)
	_, _, err = ro.CreateIfNotExists(ctx, "orders", Config{})
	require.ErrorIs(t, err, ErrReadOnly)
	require.ErrorIs(t, ro.AddPartitions(ctx, "orders", 3), ErrReadOnly)
	_, err = ro.AlterConfig(ctx, "orders", func(c *Config) { c.RetentionAge = -1 })
	require.ErrorIs(t, err, ErrReadOnly)
	require.ErrorIs(t, ro.Delete(ctx, "orders"), ErrReadOnly)
	require.Equal(t, "topic: registry /data is open read-only", ro.Delete(ctx, "orders").Error())

	// The records, stamped 1970, are past retention: a writable log
	// would delete them.
	_, err = p.EnforceRetention()
	require.ErrorIs(t, err, ErrReadOnly)
	require.NoError(t, ro.Close())
	require.Equal(t, before, m.String(), "the read-only registry wrote nothing")

	// The writer went on meanwhile, and a second read-only registry
	// opened after it sees its records; a writable one cannot open.
	_, err = tp.Partitions()[1].AppendRecords(record.Record{Value: []byte("c")})
	require.NoError(t, err)
	ro, err = Open("/data", Options{FS: m, ReadOnly: true})
	require.NoError(t, err)
	defer ro.Close()
	d, err = ro.Describe("orders")
	require.NoError(t, err)
	require.Equal(t, int64(3), d.Partitions[1].HighWatermark)
	_, err = Open("/data", Options{FS: m})
	require.ErrorIs(t, err, ErrLocked)

	// A durable topic read beside its writer serves what its files show
	// to be durable (see package partition); after the writer's clean
	// close, all of it.
	require.NoError(t, r.Close())
	ro2, err := Open("/data", Options{FS: m, ReadOnly: true})
	require.NoError(t, err)
	defer ro2.Close()
	d, err = ro2.Describe("ledger")
	require.NoError(t, err)
	require.Equal(t, int64(1), d.Partitions[0].HighWatermark)
}

// TestReadOnlyNeedsTheDirectory checks that a read-only Open of a
// directory that does not exist fails, creating nothing.
func TestReadOnlyNeedsTheDirectory(t *testing.T) {
	m := vfs.NewMem()
	_, err := Open("/data", Options{FS: m, ReadOnly: true})
	require.ErrorIs(t, err, fs.ErrNotExist)
	entries, err := m.List("/")
	require.NoError(t, err)
	require.Empty(t, entries)
}
