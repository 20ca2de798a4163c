package topic

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

func memRegistry(t *testing.T) (*vfs.MemFS, *Registry) {
	t.Helper()
	m := vfs.NewMem()
	r, err := Open("/data", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return m, r
}

func names(topics []*Topic) []string {
	var out []string
	for _, t := range topics {
		out = append(out, t.Name())
	}
	return out
}

func TestRegistryLifecycle(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, Options{})
	require.NoError(t, err)

	cfg := Config{
		Partitions: 3, SegmentBytes: 1 << 20, SegmentIndexBytes: 8 << 10, SegmentAge: time.Hour, RetentionAge: -1,
		RetentionBytes: 5 << 20, Compression: compress.Zstd, Flush: log.FlushEveryN,
		FlushRecords: 77, FlushInterval: 3 * time.Second, MaxMessageBytes: 64 << 10,
		TimestampType: record.LogAppendTime,
	}
	orders, err := r.Create(t.Context(), "orders", cfg)
	require.NoError(t, err)
	require.Equal(t, cfg, orders.Config())
	_, err = r.Create(t.Context(), "audit.log_v2", Config{})
	require.NoError(t, err)
	require.Equal(t, []string{"audit.log_v2", "orders"}, names(r.Topics()))

	_, err = r.Create(t.Context(), "orders", Config{})
	require.ErrorIs(t, err, ErrTopicExists)
	_, err = r.Topic("nope")
	require.ErrorIs(t, err, ErrUnknownTopic)

	p2, err := orders.Partition(2)
	require.NoError(t, err)
	_, err = p2.AppendRecords(record.Record{Value: []byte("x")})
	require.NoError(t, err)
	_, err = orders.Partition(3)
	require.ErrorIs(t, err, ErrUnknownPartition)

	require.NoError(t, r.AddPartitions(t.Context(), "orders", 5))
	require.Equal(t, int32(5), orders.NumPartitions())
	require.ErrorIs(t, r.AddPartitions(t.Context(), "orders", 5), ErrInvalidConfig, "cannot shrink or stay")

	d, err := r.Describe("orders")
	require.NoError(t, err)
	require.Len(t, d.Partitions, 5)
	require.Equal(t, int64(1), d.Partitions[2].LogEndOffset)
	require.Equal(t, int64(1), d.Partitions[2].HighWatermark)
	require.Equal(t, filepath.Join(dir, "orders-4"), d.Partitions[4].Dir)
	require.NoError(t, r.Close())

	// Everything survives a reopen: topics, configs, records.
	r, err = Open(dir, Options{})
	require.NoError(t, err)
	defer r.Close()
	orders, err = r.Topic("orders")
	require.NoError(t, err)
	want := cfg
	want.Partitions = 5
	require.Equal(t, want, orders.Config())
	p2, err = orders.Partition(2)
	require.NoError(t, err)
	require.Equal(t, int64(1), p2.HighWatermark())

	require.NoError(t, r.Delete(t.Context(), "orders"))
	_, err = r.Topic("orders")
	require.ErrorIs(t, err, ErrUnknownTopic)
	_, err = p2.AppendRecords(record.Record{Value: []byte("y")})
	require.ErrorIs(t, err, ErrClosed, "a deleted topic's partitions are closed")
	entries, err := vfs.Default.List(dir)
	require.NoError(t, err)
	require.Equal(t, []string{".lock", "audit.log_v2-0", "audit.log_v2.topic"}, entries)
	require.ErrorIs(t, r.Delete(t.Context(), "orders"), ErrUnknownTopic)

	// The name can be used again, from nothing.
	again, err := r.Create(t.Context(), "orders", Config{})
	require.NoError(t, err)
	p0, err := again.Partition(0)
	require.NoError(t, err)
	require.Equal(t, int64(0), p0.LogEndOffset())
}

func TestInvalidNames(t *testing.T) {
	_, r := memRegistry(t)
	for _, name := range []string{"", ".", "..", "../x", "a/b", `a\b`, "a b", "tab\t", "ü", "a\x00b",
		"/abs", "x:y", strings.Repeat("a", 250)} {
		_, err := r.Create(t.Context(), name, Config{})
		var ne *NameError
		require.ErrorAs(t, err, &ne, "%q", name)
		require.ErrorIs(t, err, ErrInvalidName)
		require.Equal(t, name, ne.Name)
	}
	for _, name := range []string{"a", "A.b_c-9", "...", "_", strings.Repeat("z", 249)} {
		require.NoError(t, ValidateName(name), "%q", name)
		_, err := r.Create(t.Context(), name, Config{})
		require.NoError(t, err, "%q", name)
	}
	entries, err := r.opts.FS.List("/")
	require.NoError(t, err)
	require.Equal(t, []string{"data"}, entries, "nothing was created outside the registry")
}

func TestInvalidConfigs(t *testing.T) {
	_, r := memRegistry(t)
	for _, cfg := range []Config{
		{Partitions: -1}, {Partitions: maxPartitions + 1}, {SegmentBytes: 100}, {SegmentBytes: 1 << 32},
		{SegmentAge: -time.Second}, {Compression: 9}, {Flush: 7}, {FlushRecords: -1},
		{MaxMessageBytes: 10}, {SegmentBytes: 1 << 20, MaxMessageBytes: 2 << 20}, {TimestampType: 3},
	} {
		_, err := r.Create(t.Context(), "t", cfg)
		require.ErrorIs(t, err, ErrInvalidConfig, "%+v", cfg)
	}
	require.Empty(t, r.Topics())
}

func TestRegistryLockedAndClosed(t *testing.T) {
	m, r := memRegistry(t)
	_, err := Open("/data", Options{FS: m})
	require.ErrorIs(t, err, ErrLocked)
	tp, err := r.Create(t.Context(), "t", Config{})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close is idempotent")
	_, err = r.Create(t.Context(), "u", Config{})
	require.ErrorIs(t, err, ErrClosed)
	_, err = r.Topic("t")
	require.ErrorIs(t, err, ErrClosed)
	p, err := tp.Partitions()[0], nil
	require.NoError(t, err)
	_, err = p.AppendRecords(record.Record{})
	require.ErrorIs(t, err, ErrClosed)

	r2, err := Open("/data", Options{FS: m})
	require.NoError(t, err, "the lock is released on Close")
	require.NoError(t, r2.Close())
}

func TestBadMetadataIsRefused(t *testing.T) {
	for name, content := range map[string]string{
		"not json":        "{{{",
		"wrong name":      `{"version":1,"name":"other","state":"ready","partitions":1,"config":{}}`,
		"unknown field":   `{"version":1,"name":"t","state":"ready","partitions":1,"extra":1}`,
		"unknown version": `{"version":9,"name":"t","state":"ready","partitions":1}`,
		"unknown state":   `{"version":1,"name":"t","state":"weird","partitions":1}`,
		"bad partitions":  `{"version":1,"name":"t","state":"ready","partitions":0,"config":{"segment.bytes":1048576,"max.message.bytes":1000,"message.timestamp.type":"CreateTime"}}`,
		"huge":            strings.Repeat(" ", maxMetadataSize+1),
	} {
		t.Run(name, func(t *testing.T) {
			m := vfs.NewMem()
			r, err := Open("/data", Options{FS: m})
			require.NoError(t, err)
			_, err = r.Create(t.Context(), "t", Config{})
			require.NoError(t, err)
			require.NoError(t, r.Close())
			require.NoError(t, vfs.WriteFileAtomic(m, "/data/t.topic", []byte(content)))

			_, err = Open("/data", Options{FS: m})
			var me *MetadataError
			require.ErrorAs(t, err, &me)
			require.ErrorIs(t, err, ErrBadMetadata)
			require.Equal(t, filepath.Join("/data", "t.topic"), me.Path)
			_, err = m.Stat("/data/t-0")
			require.NoError(t, err, "nothing is deleted because of a bad file")
			require.NoError(t, m.Remove("/data/t.topic"))
			require.NoError(t, m.RemoveAll("/data/t-0"))
			r, err = Open("/data", Options{FS: m})
			require.NoError(t, err, "the failed Open released the lock")
			require.NoError(t, r.Close())
		})
	}
}

func TestMissingPartitionDirectoryIsAnError(t *testing.T) {
	m, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", Config{Partitions: 2})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, m.RemoveAll("/data/t-1"))
	_, err = Open("/data", Options{FS: m})
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "partition 1")
}

func TestCreateRefusesForeignDirectories(t *testing.T) {
	m, r := memRegistry(t)
	require.NoError(t, m.MkdirAll("/data/t-0", 0o755))
	_, err := r.Create(t.Context(), "t", Config{})
	require.ErrorIs(t, err, ErrTopicExists)
	_, err = m.Stat("/data/t-0")
	require.NoError(t, err, "a directory the registry does not own is left alone")
	_, err = r.Create(t.Context(), "t-0", Config{})
	require.NoError(t, err, "t-0's partitions are t-0-N, which do not collide")
}

// registryState is what a reopened registry holds: each topic's partition
// count and each partition's log end.
func registryState(t *testing.T, fsys vfs.FS) map[string][]int64 {
	t.Helper()
	r, err := Open("/data", Options{FS: fsys, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	state := map[string][]int64{}
	for _, tp := range r.Topics() {
		var ends []int64
		for _, p := range tp.Partitions() {
			ends = append(ends, p.LogEndOffset())
		}
		state[tp.Name()] = ends
	}
	entries, err := fsys.List("/data")
	require.NoError(t, err)
	for _, e := range entries {
		if e == ".lock" {
			continue
		}
		name, _ := strings.CutSuffix(e, metadataExt)
		if i := strings.LastIndexByte(name, '-'); i > 0 && name == e {
			name = name[:i]
		}
		require.Contains(t, state, name, "%s is left over", e)
	}
	return state
}

// TestRegistryCrashBetweenSteps runs each administrative operation and
// takes a crash clone before every filesystem operation it makes, and
// some clones that keep random parts of what was not synced: every clone
// opens, and holds the state before the operation or the state after it.
func TestRegistryCrashBetweenSteps(t *testing.T) {
	type step struct {
		name string
		run  func(r *Registry) error
	}
	steps := []step{
		{"create", func(r *Registry) error {
			_, err := r.Create(t.Context(), "new", Config{Partitions: 3, SegmentIndexBytes: 4 << 10})
			return err
		}},
		{"add partitions", func(r *Registry) error { return r.AddPartitions(t.Context(), "old", 4) }},
		{"delete", func(r *Registry) error { return r.Delete(t.Context(), "old") }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			m := vfs.NewMem()
			var crashes []*vfs.MemFS
			var recording atomic.Bool
			var mu sync.Mutex // partitions open and close in parallel
			rng := rand.New(rand.NewPCG(1, 2))
			h := vfs.Hook(m, func(op vfs.Op) error {
				if recording.Load() && mutates(op.Kind) {
					mu.Lock()
					crashes = append(crashes, m.CrashClone(vfs.CrashOptions{}), m.CrashClone(vfs.CrashOptions{Rand: rng}))
					mu.Unlock()
				}
				return nil
			})
			r, err := Open("/data", Options{FS: h, RetentionCheckInterval: -1})
			require.NoError(t, err)
			old, err := r.Create(t.Context(), "old", Config{Partitions: 2, Flush: log.FlushAlways, SegmentIndexBytes: 4 << 10})
			require.NoError(t, err)
			p1, err := old.Partition(1)
			require.NoError(t, err)
			_, err = p1.AppendRecords(record.Record{Value: []byte("kept")})
			require.NoError(t, err)
			before := registryState(t, m.CrashClone(vfs.CrashOptions{}))

			recording.Store(true)
			require.NoError(t, st.run(r))
			recording.Store(false)
			final := m.CrashClone(vfs.CrashOptions{})
			after := registryState(t, final)
			crashes = append(crashes, final)
			require.NotEqual(t, before, after)
			require.NoError(t, r.Close())

			sawBefore, sawAfter := false, false
			for i, c := range crashes {
				got := registryState(t, c)
				switch {
				case equalState(got, before):
					sawBefore = true
				case equalState(got, after):
					sawAfter = true
				default:
					t.Fatalf("crash %d: state %v is neither %v nor %v", i, got, before, after)
				}
				// The crashed registry takes the operation again.
				r, err := Open("/data", Options{FS: c, RetentionCheckInterval: -1})
				require.NoError(t, err)
				if equalState(got, before) {
					require.NoError(t, st.run(r), "crash %d", i)
				}
				require.NoError(t, r.Close())
				require.True(t, equalState(registryState(t, c), after), "crash %d, redone", i)
			}
			require.True(t, sawBefore && sawAfter, "crashes show both states (%d clones)", len(crashes))
		})
	}
}

// mutates reports whether an operation of kind k can change what a crash
// leaves.
func mutates(k vfs.OpKind) bool {
	switch k {
	case vfs.OpCreate, vfs.OpOpenReadWrite, vfs.OpRemove, vfs.OpRemoveAll, vfs.OpRename, vfs.OpMkdirAll,
		vfs.OpSyncDir, vfs.OpWrite, vfs.OpSync, vfs.OpTruncate:
		return true
	}
	return false
}

func equalState(a, b map[string][]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

var _ = errors.New
var _ = fmt.Sprint

func TestListStored(t *testing.T) {
	m, r := memRegistry(t)
	_, err := r.Create(t.Context(), "b", Config{Partitions: 2, Compression: compress.Snappy})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "a", Config{})
	require.NoError(t, err)
	require.NoError(t, m.MkdirAll("/data/a-3", 0o755)) // as an interrupted AddPartitions leaves
	require.NoError(t, vfs.WriteFileAtomic(m, "/data/c.topic", []byte("{")))

	// The registry is open: ListStored needs no lock.
	got, err := ListStored(m, "/data")
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, "a", got[0].Name)
	require.Equal(t, stateReady, got[0].State)
	require.Equal(t, []string{"/data/a-0"}, got[0].Dirs)
	require.Equal(t, []string{"/data/a-3"}, got[0].Extra)
	require.Equal(t, int32(2), got[1].Config.Partitions)
	require.Equal(t, compress.Snappy, got[1].Config.Compression)
	require.Equal(t, []string{"/data/b-0", "/data/b-1"}, got[1].Dirs)
	require.Equal(t, "c", got[2].Name)
	require.ErrorIs(t, got[2].Err, ErrBadMetadata)
	_, err = m.Stat("/data/a-3")
	require.NoError(t, err, "ListStored changes nothing")
}
