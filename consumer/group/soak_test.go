package group

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

var soakDuration = flag.Duration("soak.duration", 0, "run TestSoak for this long (0 skips it)")

// TestSoak runs producers, topic readers, a consumer group, retention by
// size and DeleteRecordsBefore together, on a durable topic and on one
// without fsync, and closes and reopens the registry every few seconds,
// for -soak.duration. Readers check as they go that offsets only grow and
// that each producer's sequence only grows; each reopen checks that every
// acknowledged record not deleted on purpose is at its acknowledged offset.
//
//	go test -race -run TestSoak ./consumer/group -soak.duration=5m
func TestSoak(t *testing.T) {
	if *soakDuration <= 0 {
		t.Skip("set -soak.duration to run")
	}
	dir := t.TempDir()
	deadline := time.Now().Add(*soakDuration)
	total := 0
	rounds := 0
	for ; time.Now().Before(deadline); rounds++ {
		total += soakRound(t, dir, rounds, min(time.Until(deadline), 3*time.Second))
		if t.Failed() {
			return
		}
	}
	t.Logf("%d rounds, %d acknowledged records checked after reopening", rounds, total)
}

// soakTopics are the topics of the soak test and their configurations.
var soakTopics = map[string]topic.Config{
	"durable": {Partitions: 3, Flush: log.FlushAlways, SegmentBytes: 16 << 10, SegmentIndexBytes: 4 << 10, RetentionBytes: 64 << 10},
	"fast":    {Partitions: 2, SegmentBytes: 16 << 10, SegmentIndexBytes: 4 << 10, RetentionBytes: 64 << 10},
}

// soakRound opens the registry, runs every worker for d, closes it, and
// checks the reopened registry; it returns how many acknowledged records
// it found.
func soakRound(t *testing.T, dir string, round int, d time.Duration) int {
	r, err := topic.Open(dir, topic.Options{RetentionCheckInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	for name, cfg := range soakTopics {
		if _, err := r.Topic(name); err != nil {
			_, err = r.Create(t.Context(), name, cfg)
			require.NoError(t, err)
		}
	}
	prod, err := producer.New(r, producer.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	// Expected ends of the round: the context's, or the registry closing
	// under a reader.
	ended := func(err error) bool {
		return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed)
	}

	var mu sync.Mutex
	acked := map[string]producer.Ack{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			key := fmt.Sprintf("r%d-w%d", round, w)
			topic := "durable"
			if w%2 == 1 {
				topic = "fast"
			}
			for seq := 0; ctx.Err() == nil; seq++ {
				value := key + "-" + strconv.Itoa(seq)
				ack, err := prod.Produce(context.Background(), producer.Message{Topic: topic, Key: []byte(key), Value: []byte(value)})
				if err != nil {
					t.Errorf("produce: %v", err)
					return
				}
				mu.Lock()
				acked[value] = ack
				mu.Unlock()
			}
		})
	}
	for name := range soakTopics {
		wg.Go(func() {
			tp, err := r.Topic(name)
			if err != nil {
				t.Error(err)
				return
			}
			tr, err := consumer.NewTopicReader(tp, consumer.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			var check soakOrder
			for {
				rec, err := tr.Next(ctx)
				if err != nil {
					if !ended(err) {
						t.Errorf("reader of %s: %v", name, err)
					}
					return
				}
				if err := check.next(rec); err != nil {
					t.Errorf("reader of %s: %v", name, err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		member, err := groupsOf(t, r).Join("soak", MemberOptions{Topics: []string{"durable", "fast"}, AutoCommitInterval: 5 * time.Millisecond})
		if err != nil {
			t.Error(err)
			return
		}
		defer member.Close()
		var check soakOrder
		for {
			rec, err := member.Poll(ctx)
			if err != nil {
				if !ended(err) {
					t.Errorf("group member: %v", err)
				}
				return
			}
			if err := check.next(rec); err != nil {
				t.Errorf("group member: %v", err)
				return
			}
		}
	})
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(uint64(round), 5))
		for ctx.Err() == nil {
			time.Sleep(time.Duration(5+rng.IntN(20)) * time.Millisecond)
			tp, err := r.Topic("durable")
			if err != nil {
				t.Error(err)
				return
			}
			p, err := tp.Partition(rng.Int32N(tp.NumPartitions()))
			if err != nil {
				t.Error(err)
				return
			}
			start, hw := p.LogStartOffset(), p.HighWatermark()
			if hw > start {
				if _, err := p.DeleteRecordsBefore(start + rng.Int64N(hw-start)/4); err != nil {
					t.Errorf("delete records: %v", err)
					return
				}
			}
		}
	})
	wg.Wait()
	require.NoError(t, prod.Close())
	require.NoError(t, r.Close())

	r, err = topic.Open(dir, topic.Options{RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	found := 0
	readers := map[TopicPartition]*consumer.PartitionReader{}
	for value, ack := range acked {
		tp, err := r.Topic(ack.Topic)
		require.NoError(t, err)
		p, err := tp.Partition(ack.Partition)
		require.NoError(t, err)
		if ack.Offset < p.LogStartOffset() {
			continue // deleted by retention or DeleteRecordsBefore
		}
		key := TopicPartition{Topic: ack.Topic, Partition: ack.Partition}
		pr := readers[key]
		if pr == nil {
			pr, err = consumer.NewPartitionReader(tp, ack.Partition, consumer.Options{})
			require.NoError(t, err)
			readers[key] = pr
		}
		require.NoError(t, pr.Seek(consumer.AtOffset(ack.Offset)))
		rec, err := pr.TryNext()
		require.NoError(t, err)
		require.NotNil(t, rec, "acknowledged %s at %+v lost", value, ack)
		require.Equal(t, value, string(rec.Value), "at %+v", ack)
		found++
	}
	for tp, c := range groupsOf(t, r).Offsets().Group("soak") {
		p, err := r.Topic(tp.Topic)
		require.NoError(t, err)
		part, err := p.Partition(tp.Partition)
		require.NoError(t, err)
		require.LessOrEqual(t, c.Offset, part.HighWatermark(), "committed past the high watermark")
	}
	return found
}

// soakOrder checks records as a reader sees them: offsets grow within each
// partition, and each producer's sequence numbers grow.
type soakOrder struct {
	offsets map[TopicPartition]int64
	seqs    map[string]int
}

func (o *soakOrder) next(rec *consumer.Record) error {
	if o.offsets == nil {
		o.offsets, o.seqs = map[TopicPartition]int64{}, map[string]int{}
	}
	tp := TopicPartition{Topic: rec.Topic, Partition: rec.Partition}
	if last, ok := o.offsets[tp]; ok && rec.Offset <= last {
		return fmt.Errorf("%s-%d: offset %d after %d", rec.Topic, rec.Partition, rec.Offset, last)
	}
	o.offsets[tp] = rec.Offset
	value := string(rec.Value)
	i := strings.LastIndexByte(value, '-')
	seq, err := strconv.Atoi(value[i+1:])
	if i < 0 || err != nil || value[:i] != string(rec.Key) {
		return fmt.Errorf("%s-%d at %d: a record nobody wrote: %q", rec.Topic, rec.Partition, rec.Offset, value)
	}
	if last, ok := o.seqs[value[:i]]; ok && seq <= last {
		return fmt.Errorf("%s: sequence %d after %d", value[:i], seq, last)
	}
	o.seqs[value[:i]] = seq
	return nil
}
