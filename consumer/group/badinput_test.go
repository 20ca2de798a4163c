package group

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestBadArguments gives the registry, topics, readers, the producer and
// groups every kind of bad argument: each gets its typed error, and
// nothing is created or changed.
func TestBadArguments(t *testing.T) {
	m, r := memRegistry(t)
	groupsOf(t, r)
	tp, err := r.Create(t.Context(), "t", topic.Config{Partitions: 2, MaxMessageBytes: 2048, SegmentIndexBytes: 4096})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	ctx := context.Background()
	_, err = prod.Produce(ctx, producer.Message{Topic: "t", Partition: 0, Value: []byte("v")})
	require.NoError(t, err)
	before := m.String()

	for _, n := range []int32{0, -1, 1 << 30} {
		_, err = r.Create(t.Context(), "u", topic.Config{Partitions: n})
		if n == 0 {
			require.NoError(t, err, "zero means the default")
			require.NoError(t, r.Delete(t.Context(), "u"))
			continue
		}
		require.ErrorIs(t, err, ErrInvalidConfig, "%d partitions", n)
	}
	before = m.String()
	require.ErrorIs(t, r.AddPartitions(t.Context(), "t", 1), ErrInvalidConfig, "fewer")
	require.ErrorIs(t, r.AddPartitions(t.Context(), "t", 1<<30), ErrInvalidConfig, "too many")
	require.ErrorIs(t, r.AddPartitions(t.Context(), "nope", 3), topic.ErrUnknownTopic)
	require.ErrorIs(t, r.Delete(t.Context(), "../t"), topic.ErrUnknownTopic, "lookups of a name no topic can have")
	require.ErrorIs(t, r.Delete(t.Context(), "nope"), topic.ErrUnknownTopic)

	for _, index := range []int32{-1, 2, math.MaxInt32} {
		_, err = consumer.NewPartitionReader(tp, index, consumer.Options{})
		require.ErrorIs(t, err, topic.ErrUnknownPartition, "reader of partition %d", index)
		_, err = tp.Partition(index)
		require.ErrorIs(t, err, topic.ErrUnknownPartition)
	}
	_, err = consumer.NewPartitionReader(tp, 0, consumer.Options{Start: consumer.AtOffset(-5)})
	require.ErrorIs(t, err, offsets.ErrInvalidOffset)
	_, err = consumer.NewTopicReader(tp, consumer.Options{Start: consumer.AtOffset(-5)})
	require.ErrorIs(t, err, offsets.ErrInvalidOffset)
	_, err = consumer.NewPartitionReader(tp, 0, consumer.Options{Start: consumer.AtOffset(1 << 62)})
	var oor *partition.OffsetOutOfRangeError
	require.ErrorAs(t, err, &oor)
	require.Equal(t, int64(1), oor.LogEnd)
	pr, err := consumer.NewPartitionReader(tp, 0, consumer.Options{})
	require.NoError(t, err)
	require.ErrorIs(t, pr.Seek(consumer.AtOffset(-1)), offsets.ErrInvalidOffset)
	require.ErrorIs(t, pr.Seek(consumer.AtOffset(99)), partition.ErrOffsetOutOfRange)
	require.Equal(t, int64(0), pr.Offset(), "a refused Seek does not move the reader")

	for _, msg := range []producer.Message{
		{Topic: "t", Partition: -1},
		{Topic: "t", Partition: 2},
	} {
		_, err = prod.Produce(ctx, msg)
		require.ErrorIs(t, err, topic.ErrUnknownPartition)
	}
	_, err = prod.Produce(ctx, producer.Message{Topic: "../t"})
	require.ErrorIs(t, err, topic.ErrUnknownTopic)
	_, err = prod.Produce(ctx, producer.Message{Topic: "t", Value: make([]byte, 4096)})
	require.ErrorIs(t, err, producer.ErrRecordTooLarge)

	require.ErrorIs(t, groupsOf(t, r).Commit(t.Context(), "g", offsets.Commit{Topic: "t", Partition: 0, Offset: -1}), offsets.ErrInvalidOffset)
	require.ErrorIs(t, groupsOf(t, r).Commit(t.Context(), "g", offsets.Commit{Topic: "t", Partition: 2, Offset: 1}), topic.ErrUnknownPartition)
	require.ErrorIs(t, groupsOf(t, r).Commit(t.Context(), "g", offsets.Commit{Topic: "nope", Offset: 1}), topic.ErrUnknownTopic)
	require.ErrorIs(t, groupsOf(t, r).Commit(t.Context(), "", offsets.Commit{Topic: "t", Offset: 1}), ErrInvalidGroup)
	_, err = groupsOf(t, r).Join("", MemberOptions{Topics: []string{"t"}})
	require.ErrorIs(t, err, ErrInvalidGroup)
	_, err = groupsOf(t, r).Join("g", MemberOptions{})
	require.ErrorIs(t, err, ErrInvalidConfig)
	_, err = groupsOf(t, r).Join("g", MemberOptions{Topics: []string{"../t"}})
	require.ErrorIs(t, err, ErrInvalidConfig, "a name no topic can have")
	require.ErrorIs(t, err, topic.ErrInvalidName)
	for _, d := range []MemberOptions{{SessionTimeout: -1}, {RebalanceTimeout: -1}, {AutoCommitInterval: -1}} {
		d.Topics = []string{"t"}
		_, err = groupsOf(t, r).Join("g", d)
		require.ErrorIs(t, err, ErrInvalidConfig, "%+v", d)
	}
	_, err = Open(r, Options{CompactBytes: -1})
	require.ErrorIs(t, err, ErrInvalidConfig)
	ro, err := topic.Open("/data", topic.Options{FS: m, ReadOnly: true, RetentionCheckInterval: -1})
	require.NoError(t, err)
	roGroups, err := Open(ro, Options{})
	require.NoError(t, err)
	_, err = roGroups.Join("g", MemberOptions{Topics: []string{"t"}})
	require.ErrorIs(t, err, ErrReadOnly, "the registry's writer owns its groups")
	require.ErrorIs(t, roGroups.Commit(ctx, "g", offsets.Commit{Topic: "t", Offset: 1}), ErrReadOnly)
	require.ErrorIs(t, roGroups.DeleteGroup(ctx, "g"), ErrReadOnly)
	require.NoError(t, ro.Close())

	p, err := tp.Partition(0)
	require.NoError(t, err)
	_, err = p.DeleteRecordsBefore(5)
	require.ErrorIs(t, err, partition.ErrOffsetOutOfRange, "past the high watermark")

	require.Equal(t, before, m.String(), "nothing on disk changed")
	_, ok := groupsOf(t, r).Committed("g", "t", 0)
	require.False(t, ok)
}

// TestClosedRegistry calls every method of a closed registry, of its
// topics, of a producer, of readers and of a group member: those that can
// fail return ErrClosed, and none panics or blocks.
func TestClosedRegistry(t *testing.T) {
	_, r := memRegistry(t)
	tp, err := r.Create(t.Context(), "t", topic.Config{Partitions: 2, SegmentIndexBytes: 4096})
	require.NoError(t, err)
	prod, err := producer.New(r, producer.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = prod.Produce(ctx, producer.Message{Topic: "t", Value: []byte("v")})
	require.NoError(t, err)
	require.NoError(t, groupsOf(t, r).Commit(t.Context(), "g", offsets.Commit{Topic: "t", Partition: 0, Offset: 1}))
	member, err := groupsOf(t, r).Join("h", MemberOptions{Topics: []string{"t"}})
	require.NoError(t, err)
	pr, err := consumer.NewPartitionReader(tp, 0, consumer.Options{})
	require.NoError(t, err)
	tr, err := consumer.NewTopicReader(tp, consumer.Options{})
	require.NoError(t, err)
	require.NoError(t, r.Close())

	calls := map[string]error{}
	_, calls["Create"] = r.Create(t.Context(), "u", topic.Config{})
	_, calls["Topic"] = r.Topic("t")
	_, calls["Describe"] = r.Describe("t")
	calls["AddPartitions"] = r.AddPartitions(t.Context(), "t", 3)
	calls["Delete"] = r.Delete(t.Context(), "t")
	calls["CommitOffsets"] = groupsOf(t, r).Commit(t.Context(), "g", offsets.Commit{Topic: "t", Offset: 2})
	calls["DeleteGroupOffsets"] = groupsOf(t, r).DeleteGroup(t.Context(), "g")
	_, calls["JoinGroup"] = groupsOf(t, r).Join("g", MemberOptions{Topics: []string{"t"}})
	_, calls["NewProducer"] = producer.New(r, producer.Options{})
	_, calls["Topic.Partition"] = tp.Partition(0)
	_, calls["Topic.NewPartitionReader"] = consumer.NewPartitionReader(tp, 0, consumer.Options{})
	_, calls["Topic.NewReader"] = consumer.NewTopicReader(tp, consumer.Options{})
	_, calls["Produce"] = prod.Produce(ctx, producer.Message{Topic: "t"})
	done := make(chan error, 1)
	prod.ProduceAsync(ctx, producer.Message{Topic: "t"}, func(_ producer.Ack, err error) { done <- err })
	calls["ProduceAsync"] = <-done
	_, calls["PartitionReader.Next"] = pr.Next(ctx)
	_, calls["TopicReader.Next"] = tr.Next(ctx)
	_, calls["Member.Poll"] = member.Poll(ctx)
	for name, err := range calls {
		require.ErrorIs(t, err, ErrClosed, name)
	}
	require.NoError(t, prod.Flush(ctx), "nothing was waiting")
	require.NoError(t, prod.Close())
	require.NoError(t, prod.Close(), "Close twice")
	member.Close()
	require.NoError(t, member.Close(), "Close twice")
	require.NoError(t, r.Close())
	// Getters answer without panicking.
	r.Topics()
	groupsOf(t, r).Groups()
	groupsOf(t, r).Describe("g")
	groupsOf(t, r).Offsets().Group("g")
	tp.Describe()
	tp.Partitions()
}

// TestConcurrentRegistryClose closes a registry while producers, readers
// and a group member work on it: every call succeeds or returns ErrClosed,
// nothing blocks, and every acknowledged record of the durable topic is
// there after reopening, at its acknowledged offset.
func TestConcurrentRegistryClose(t *testing.T) {
	dir := t.TempDir()
	r, err := topic.Open(dir, topic.Options{})
	require.NoError(t, err)
	tp, err := r.Create(t.Context(), "t", topic.Config{Partitions: 3, Flush: log.FlushAlways})
	require.NoError(t, err)
	prod, err := producer.New(r, producer.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	var mu sync.Mutex
	acked := map[string]producer.Ack{}
	check := func(what string, err error) bool {
		if err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("%s: %v", what, err)
		}
		return err == nil
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				value := fmt.Sprintf("g%d-%d", g, i)
				ack, err := prod.Produce(ctx, producer.Message{Topic: "t", Key: []byte(value), Value: []byte(value)})
				if !check("produce", err) {
					return
				}
				mu.Lock()
				acked[value] = ack
				mu.Unlock()
			}
		})
	}
	wg.Go(func() {
		tr, err := consumer.NewTopicReader(tp, consumer.Options{})
		if !check("new reader", err) {
			return
		}
		for {
			if _, err := tr.Next(ctx); !check("reader", err) {
				return
			}
		}
	})
	wg.Go(func() {
		member, err := groupsOf(t, r).Join("g", MemberOptions{Topics: []string{"t"}, AutoCommitInterval: time.Millisecond})
		if !check("join", err) {
			return
		}
		defer member.Close()
		for {
			if _, err := member.Poll(ctx); !check("poll", err) {
				return
			}
		}
	})
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, r.Close())
	wg.Wait()
	require.NoError(t, prod.Close())

	r, err = topic.Open(dir, topic.Options{})
	require.NoError(t, err)
	defer r.Close()
	tp, err = r.Topic("t")
	require.NoError(t, err)
	found := map[string]producer.Ack{}
	for i := range tp.NumPartitions() {
		pr, err := consumer.NewPartitionReader(tp, int32(i), consumer.Options{})
		require.NoError(t, err)
		for {
			rec, err := pr.TryNext()
			require.NoError(t, err)
			if rec == nil {
				break
			}
			found[string(rec.Value)] = producer.Ack{Topic: "t", Partition: rec.Partition, Offset: rec.Offset}
		}
	}
	for value, ack := range acked {
		got, ok := found[value]
		require.True(t, ok, "acknowledged %s lost", value)
		require.Equal(t, ack.Partition, got.Partition, value)
		require.Equal(t, ack.Offset, got.Offset, value)
	}
}

const lockHolderEnv = "COMMITLOG_TOPIC_LOCK_HOLDER"

// TestLockHolderChild opens the registry named by its environment and
// holds it until its standard input closes.
func TestLockHolderChild(t *testing.T) {
	dir := os.Getenv(lockHolderEnv)
	if dir == "" {
		t.Skip("run by TestRegistryLockedByAnotherProcess")
	}
	r, err := topic.Open(dir, topic.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("open")
	io.Copy(io.Discard, os.Stdin)
	r.Close()
}

// TestRegistryLockedByAnotherProcess opens a registry that another process
// holds: topic.ErrLocked, and nothing in the directory changes; once the other
// process is gone, Open succeeds.
func TestRegistryLockedByAnotherProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reg")
	r, err := topic.Open(dir, topic.Options{})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "t", topic.Config{})
	require.NoError(t, err)
	require.NoError(t, r.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHolderEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "open\n", line)

	_, err = topic.Open(dir, topic.Options{})
	require.ErrorIs(t, err, topic.ErrLocked)
	_, err = topic.ListStored(vfs.Default, dir)
	require.NoError(t, err, "tools read a locked registry")

	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	r, err = topic.Open(dir, topic.Options{})
	require.NoError(t, err)
	require.NoError(t, r.Close())
}
