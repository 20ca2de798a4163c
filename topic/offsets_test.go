package topic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

func TestCommitOffsets(t *testing.T) {
	m := vfs.NewMem()
	clock := time.UnixMilli(1_700_000_000_123).Add(456 * time.Microsecond)
	opts := Options{FS: m, RetentionCheckInterval: -1, Now: func() time.Time { return clock }}
	r, err := Open("/data", opts)
	require.NoError(t, err)
	_, err = r.Create("orders", Config{Partitions: 3})
	require.NoError(t, err)
	_, err = r.Create("audit", Config{})
	require.NoError(t, err)

	_, ok := r.CommittedOffset("billing", "orders", 0)
	require.False(t, ok)
	require.NoError(t, r.CommitOffsets("billing",
		OffsetCommit{Topic: "orders", Partition: 0, Offset: 10, Metadata: "node-a"},
		OffsetCommit{Topic: "orders", Partition: 2, Offset: 7}))
	require.NoError(t, r.CommitOffsets("billing", OffsetCommit{Topic: "orders", Partition: 0, Offset: 12}))
	require.NoError(t, r.CommitOffsets("search", OffsetCommit{Topic: "audit", Partition: 0, Offset: 0}))

	want := map[TopicPartition]CommittedOffset{
		{"orders", 0}: {Offset: 12, Time: time.UnixMilli(1_700_000_000_123)},
		{"orders", 2}: {Offset: 7, Time: time.UnixMilli(1_700_000_000_123)},
	}
	check := func(r *Registry) {
		t.Helper()
		got := r.CommittedOffsets("billing")
		require.Len(t, got, len(want))
		for tp, w := range want {
			require.Equal(t, w.Offset, got[tp].Offset, "%v", tp)
			require.Equal(t, w.Metadata, got[tp].Metadata, "%v", tp)
			require.True(t, w.Time.Equal(got[tp].Time), "%v: %v", tp, got[tp].Time)
		}
		require.Equal(t, []string{"billing", "search"}, r.Groups())
	}
	check(r)
	require.NoError(t, r.Close())

	r, err = Open("/data", opts)
	require.NoError(t, err)
	defer r.Close()
	check(r)

	require.NoError(t, r.DeleteGroupOffsets("search"))
	require.Equal(t, []string{"billing"}, r.Groups())
}

func TestCommitOffsetsRefusesBadInput(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create("t", Config{Partitions: 2})
	require.NoError(t, err)
	for _, tc := range []struct {
		group  string
		commit OffsetCommit
		want   error
	}{
		{"", OffsetCommit{Topic: "t"}, ErrInvalidGroup},
		{strings.Repeat("g", maxShortString+1), OffsetCommit{Topic: "t"}, ErrInvalidGroup},
		{"g", OffsetCommit{Topic: "nope"}, ErrUnknownTopic},
		{"g", OffsetCommit{Topic: "t", Partition: 2}, ErrUnknownPartition},
		{"g", OffsetCommit{Topic: "t", Partition: -1}, ErrUnknownPartition},
		{"g", OffsetCommit{Topic: "t", Offset: -1}, ErrInvalidOffset},
		{"g", OffsetCommit{Topic: "t", Metadata: strings.Repeat("m", MaxOffsetMetadata+1)}, ErrOffsetMetadataTooLarge},
	} {
		err := r.CommitOffsets(tc.group, OffsetCommit{Topic: "t", Offset: 1}, tc.commit)
		require.ErrorIs(t, err, tc.want, "%+v", tc.commit)
	}
	require.Empty(t, r.Groups(), "a refused call commits nothing, not even its valid part")
	require.NoError(t, r.Close())
	require.ErrorIs(t, r.CommitOffsets("g", OffsetCommit{Topic: "t"}), ErrClosed)
}

func TestDeletingATopicDeletesItsOffsets(t *testing.T) {
	m, r := memRegistry(t)
	for _, name := range []string{"a", "b"} {
		_, err := r.Create(name, Config{})
		require.NoError(t, err)
		require.NoError(t, r.CommitOffsets("g", OffsetCommit{Topic: name, Offset: 5}))
	}
	require.NoError(t, r.Delete("a"))
	_, ok := r.CommittedOffset("g", "a", 0)
	require.False(t, ok)
	_, err := r.Create("a", Config{})
	require.NoError(t, err)
	_, ok = r.CommittedOffset("g", "a", 0)
	require.False(t, ok, "a topic created again starts without offsets")
	_, ok = r.CommittedOffset("g", "b", 0)
	require.True(t, ok)

	// A crash after a topic's files went but before its offsets did:
	// Open forgets offsets of topics that do not exist.
	require.NoError(t, r.CommitOffsets("g", OffsetCommit{Topic: "b", Offset: 6}))
	require.NoError(t, r.Close())
	require.NoError(t, m.Remove("/data/b.topic"))
	require.NoError(t, m.RemoveAll("/data/b-0"))
	r, err = Open("/data", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	require.Empty(t, r.CommittedOffsets("g"))
}

// TestCommitsSurviveCrashes commits from many goroutines, each its own
// partition with increasing offsets, and takes crash clones as commits
// return: each clone holds, for every partition, at least the offset of
// the last commit that returned before it was taken.
func TestCommitsSurviveCrashes(t *testing.T) {
	m := vfs.NewMem()
	var syncs atomic.Int64
	h := vfs.Hook(m, func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && strings.Contains(op.Path, offsetsDirName) {
			syncs.Add(1)
			time.Sleep(100 * time.Microsecond)
		}
		return nil
	})
	r, err := Open("/data", Options{FS: h, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	const writers, commits = 16, 100
	_, err = r.Create("t", Config{Partitions: writers, SegmentIndexBytes: 4 << 10})
	require.NoError(t, err)
	syncs.Store(0)

	type crash struct {
		fs   *vfs.MemFS
		seen [writers]int64
	}
	var mu sync.Mutex
	var acked [writers]int64
	var crashes []crash
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := int64(1); i <= commits; i++ {
				if err := r.CommitOffsets("g", OffsetCommit{Topic: "t", Partition: int32(w), Offset: i}); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[w] = i
				if rng.IntN(20) == 0 {
					crashes = append(crashes, crash{fs: m.CrashClone(vfs.CrashOptions{Rand: rng}), seen: acked})
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Less(t, syncs.Load(), int64(writers*commits/2), "commits share fsyncs")
	require.NotEmpty(t, crashes)
	for i, c := range crashes {
		cr, err := Open("/data", Options{FS: c.fs, RetentionCheckInterval: -1})
		require.NoError(t, err, "crash %d", i)
		for w := range writers {
			got, ok := cr.CommittedOffset("g", "t", int32(w))
			if c.seen[w] > 0 {
				require.True(t, ok, "crash %d, partition %d", i, w)
				require.GreaterOrEqual(t, got.Offset, c.seen[w], "crash %d, partition %d", i, w)
			}
		}
		require.NoError(t, cr.Close())
	}
}

// TestOffsetsLogIsCompacted commits far more than the live offsets take:
// the log is rewritten and cut, stays small, and reopens to the latest
// offsets, also from crash clones taken around each compaction.
func TestOffsetsLogIsCompacted(t *testing.T) {
	m, r := memRegistry(t)
	_, err := r.Create("t", Config{Partitions: 8, SegmentIndexBytes: 4 << 10})
	require.NoError(t, err)
	r.offsets.compact = 16 << 10
	var crashes []*vfs.MemFS
	for i := int64(1); i <= 3000; i++ {
		p := int32(i % 8)
		require.NoError(t, r.CommitOffsets(fmt.Sprintf("g%d", i%5), OffsetCommit{Topic: "t", Partition: p, Offset: i, Metadata: "m"}))
		if i%250 == 0 {
			crashes = append(crashes, m.CrashClone(vfs.CrashOptions{}))
		}
	}
	require.Less(t, r.offsets.log.Size(), int64(64<<10), "the log stays near its compaction threshold")
	require.Positive(t, r.offsets.log.LogStartOffset(), "compaction moved the log start")
	want := map[string]map[TopicPartition]CommittedOffset{}
	for _, g := range r.Groups() {
		want[g] = r.CommittedOffsets(g)
	}
	require.Len(t, want, 5)
	require.NoError(t, r.Close())
	crashes = append(crashes, m)
	for i, c := range crashes {
		cr, err := Open("/data", Options{FS: c, RetentionCheckInterval: -1})
		require.NoError(t, err, "clone %d", i)
		for g, offsets := range want {
			got := cr.CommittedOffsets(g)
			require.Len(t, got, len(offsets), "clone %d, group %s", i, g)
			if i == len(crashes)-1 {
				for tp, w := range offsets {
					require.Equal(t, w.Offset, got[tp].Offset)
				}
			}
		}
		require.NoError(t, cr.Close())
	}
}

func TestReaderFromCommittedOffset(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create("t", Config{Partitions: 2})
	require.NoError(t, err)
	prod := mustProducer(t, r, ProducerOptions{})
	produceN(t, prod, "t", 0, 0, 5, time.Now())
	produceN(t, prod, "t", 1, 5, 5, time.Now())
	require.NoError(t, r.CommitOffsets("g", OffsetCommit{Topic: "t", Partition: 0, Offset: 3}))

	pr, err := tp.NewPartitionReader(0, ReaderOptions{Start: Committed("g", Earliest())})
	require.NoError(t, err)
	require.Equal(t, "v3", nextValue(t, pr))
	pr, err = tp.NewPartitionReader(1, ReaderOptions{Start: Committed("g", Latest())})
	require.NoError(t, err)
	require.Equal(t, int64(5), pr.Offset(), "no commit: the fallback")
	pr, err = tp.NewPartitionReader(1, ReaderOptions{Start: Committed("g", Earliest())})
	require.NoError(t, err)
	require.Equal(t, "v5", nextValue(t, pr))

	rd, err := tp.NewReader(ReaderOptions{Start: Committed("g", Latest())})
	require.NoError(t, err)
	require.Equal(t, []int64{3, 5}, rd.Offsets())
	require.Contains(t, Committed("g", Latest()).String(), `"g"`)
}

// BenchmarkCommitOffsets has 64 goroutines commit one offset each per
// call, with and without an fsync per group commit.
func BenchmarkCommitOffsets(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", !noSync), func(b *testing.B) {
			r, err := Open(b.TempDir(), Options{RetentionCheckInterval: -1, CommitWithoutSync: noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Create("t", Config{Partitions: 64}); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int32
			b.SetParallelism(32)
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				p := next.Add(1) % 64
				for i := int64(0); pb.Next(); i++ {
					if err := r.CommitOffsets("group", OffsetCommit{Topic: "t", Partition: p, Offset: i}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commits/s")
		})
	}
}
