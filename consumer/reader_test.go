package consumer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// memRegistry opens a registry on a fresh in-memory filesystem, closed
// when the test ends.
func memRegistry(t *testing.T) (*vfs.MemFS, *topic.Registry) {
	t.Helper()
	m := vfs.NewMem()
	r, err := topic.Open("/data", topic.Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return m, r
}

// appendN appends n records "v<i>", i from from on, to partition p of tp,
// one batch each, with timestamps one second apart from base.
func appendN(t *testing.T, tp *topic.Topic, p int32, from, n int, base time.Time) {
	t.Helper()
	part, err := tp.Partition(p)
	require.NoError(t, err)
	for i := from; i < from+n; i++ {
		_, err := part.AppendRecords(record.Record{Value: fmt.Appendf(nil, "v%d", i),
			Timestamp: base.Add(time.Duration(i) * time.Second).UnixMilli()})
		require.NoError(t, err)
	}
}

func nextValue(t *testing.T, r interface {
	Next(context.Context) (*Record, error)
}) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rec, err := r.Next(ctx)
	require.NoError(t, err)
	return string(rec.Value)
}

func TestPartitionReaderStartPositions(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	base := time.UnixMilli(1_700_000_000_000)
	appendN(t, tp, 1, 0, 10, base)

	for _, tc := range []struct {
		start Position
		want  string
	}{
		{Earliest(), "v0"},
		{AtOffset(4), "v4"},
		{AtTime(base.Add(6500 * time.Millisecond)), "v7"},
		{AtTime(base), "v0"},
	} {
		t.Run(tc.start.String(), func(t *testing.T) {
			pr, err := NewPartitionReader(tp, 1, Options{Start: tc.start})
			require.NoError(t, err)
			require.Equal(t, tc.want, nextValue(t, pr))
		})
	}

	// Latest, and a time after every record, see only what comes next.
	latest, err := NewPartitionReader(tp, 1, Options{Start: Latest()})
	require.NoError(t, err)
	future, err := NewPartitionReader(tp, 1, Options{Start: AtTime(base.Add(time.Hour))})
	require.NoError(t, err)
	for _, pr := range []*PartitionReader{latest, future} {
		require.Equal(t, int64(10), pr.Offset())
		rec, err := pr.TryNext()
		require.NoError(t, err)
		require.Nil(t, rec)
	}
	go appendN(t, tp, 1, 10, 1, base)
	require.Equal(t, "v10", nextValue(t, latest), "a waiting reader is woken")
	require.Equal(t, "v10", nextValue(t, future))

	pr, err := NewPartitionReader(tp, 1, Options{})
	require.NoError(t, err)
	require.NoError(t, pr.Seek(AtOffset(9)))
	require.Equal(t, "v9", nextValue(t, pr))
	require.NoError(t, pr.Seek(Earliest()))
	require.Equal(t, "v0", nextValue(t, pr))

	_, err = NewPartitionReader(tp, 2, Options{})
	require.ErrorIs(t, err, ErrUnknownPartition)
	_, err = NewPartitionReader(tp, -1, Options{})
	require.ErrorIs(t, err, ErrUnknownPartition)
	_, err = NewPartitionReader(tp, 1, Options{Start: AtOffset(12)})
	require.ErrorIs(t, err, partition.ErrOffsetOutOfRange)
	_, err = NewPartitionReader(tp, 1, Options{Start: AtOffset(-3)})
	require.ErrorIs(t, err, ErrInvalidOffset)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = latest.Next(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestPartitionReaderIteratorAndClose(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	appendN(t, tp, 0, 0, 3, time.Now())
	pr, err := NewPartitionReader(tp, 0, Options{})
	require.NoError(t, err)

	var got []string
	var last error
	go func() {
		time.Sleep(20 * time.Millisecond)
		r.Close()
	}()
	for rec, err := range pr.All(context.Background()) {
		if err != nil {
			last = err
			break
		}
		got = append(got, string(rec.Value))
	}
	require.Equal(t, []string{"v0", "v1", "v2"}, got)
	require.ErrorIs(t, last, ErrClosed, "closing the registry ends a waiting reader")
}

func TestReaderAfterRetention(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	appendN(t, tp, 0, 0, 10, time.Now())
	lenient, err := NewPartitionReader(tp, 0, Options{})
	require.NoError(t, err)
	strict, err := NewPartitionReader(tp, 0, Options{FailOnOutOfRange: true})
	require.NoError(t, err)
	_, err = tp.Partitions()[0].DeleteRecordsBefore(6)
	require.NoError(t, err)

	require.Equal(t, "v6", nextValue(t, lenient), "records deleted under a reader are skipped")
	_, err = strict.Next(context.Background())
	var oor *partition.OffsetOutOfRangeError
	require.ErrorAs(t, err, &oor)
	require.Equal(t, int64(6), oor.LogStart)
}

// TestTopicReaderSeesEveryRecordOnce produces to every partition while
// several topic readers follow, one partition being added midway: each
// reader sees each record exactly once, in order within its partition.
func TestTopicReaderSeesEveryRecordOnce(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{Partitions: 3})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	const perPartition = 700 // more than a reader's stint, so partitions interleave
	produced := make(chan int, 1)
	go func() {
		total := 0
		for i := range perPartition {
			for p := range tp.NumPartitions() {
				part, err := tp.Partition(int32(p))
				if err == nil {
					_, err = part.AppendRecords(record.Record{Value: fmt.Appendf(nil, "%d/%d", p, i)})
				}
				if err != nil {
					t.Error(err)
				}
				total++
			}
			if i == perPartition/2 {
				if err := r.AddPartitions(context.Background(), "t", 4); err != nil {
					t.Error(err)
				}
			}
		}
		produced <- total
	}()

	readers := make([]*TopicReader, 3)
	for i := range readers {
		readers[i], err = NewTopicReader(tp, Options{})
		require.NoError(t, err)
	}
	total := <-produced
	require.Equal(t, 3*perPartition+perPartition/2-1, total)
	for _, rd := range readers {
		nextOffset := map[int32]int64{}
		for range total {
			rec, err := rd.Next(ctx)
			require.NoError(t, err)
			var p int32
			var i int
			_, err = fmt.Sscanf(string(rec.Value), "%d/%d", &p, &i)
			require.NoError(t, err)
			require.Equal(t, rec.Partition, p)
			// Consecutive offsets: nothing skipped, nothing twice.
			require.Equal(t, nextOffset[p], rec.Offset, "partition %d", p)
			nextOffset[p]++
			if p < 3 {
				require.Equal(t, int64(i), rec.Offset)
			}
		}
		extra, err := rd.TryNext()
		require.NoError(t, err)
		require.Nil(t, extra)
		require.Equal(t, []int64{perPartition, perPartition, perPartition, perPartition/2 - 1}, rd.Offsets())
	}
}

func TestTopicReaderLatestAndDelete(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	appendN(t, tp, 0, 0, 5, time.Now())
	rd, err := NewTopicReader(tp, Options{Start: Latest()})
	require.NoError(t, err)
	appendN(t, tp, 1, 5, 1, time.Now())
	require.Equal(t, "v5", nextValue(t, rd))

	done := make(chan error, 1)
	go func() {
		_, err := rd.Next(context.Background())
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, r.Delete(context.Background(), "t"))
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("a reader of a deleted topic kept waiting")
	}
}

func TestEndedContextStopsReadersWithRecordsWaiting(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{})
	require.NoError(t, err)
	appendN(t, tp, 0, 0, 3, time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pr, err := NewPartitionReader(tp, 0, Options{})
	require.NoError(t, err)
	_, err = pr.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	rd, err := NewTopicReader(tp, Options{})
	require.NoError(t, err)
	_, err = rd.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestReaderFromCommittedOffset(t *testing.T) {
	m, r := memRegistry(t)
	tp, err := r.Create(context.Background(), "t", topic.Config{Partitions: 2})
	require.NoError(t, err)
	appendN(t, tp, 0, 0, 5, time.Now())
	appendN(t, tp, 1, 5, 5, time.Now())
	store, err := offsets.Open("/data/"+offsets.DirName, offsets.Options{FS: m, NoLock: true})
	require.NoError(t, err)
	defer store.Close()
	require.NoError(t, store.Commit(context.Background(), "g", offsets.Commit{Topic: "t", Partition: 0, Offset: 3}))

	pr, err := NewPartitionReader(tp, 0, Options{Start: Committed(store, "g", Earliest())})
	require.NoError(t, err)
	require.Equal(t, "v3", nextValue(t, pr))
	pr, err = NewPartitionReader(tp, 1, Options{Start: Committed(store, "g", Latest())})
	require.NoError(t, err)
	require.Equal(t, int64(5), pr.Offset(), "no commit: the fallback")
	pr, err = NewPartitionReader(tp, 1, Options{Start: Committed(store, "g", Earliest())})
	require.NoError(t, err)
	require.Equal(t, "v5", nextValue(t, pr))

	rd, err := NewTopicReader(tp, Options{Start: Committed(store, "g", Latest())})
	require.NoError(t, err)
	require.Equal(t, []int64{3, 5}, rd.Offsets())
	require.Contains(t, Committed(store, "g", Latest()).String(), `"g"`)
}
