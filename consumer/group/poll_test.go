package group

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

func values(recs []*consumer.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Value)
	}
	return out
}

// TestPollBatch checks that a batch holds at least one record and at most
// max, takes what is ready without waiting for more, and is the caller's:
// its records stay as they were while the member reads on.
func TestPollBatch(t *testing.T) {
	r, _ := clockRegistry(t, 2, 5)
	m := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}, ManualCommit: true})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	_, err := m.PollBatch(ctx, 0)
	require.ErrorIs(t, err, ErrInvalidConfig)
	first, err := m.PollBatch(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, []string{"v0", "v1", "v2"}, values(first))
	rest, err := m.PollBatch(ctx, 100)
	require.NoError(t, err)
	require.Equal(t, []string{"v3", "v4", "v5", "v6", "v7", "v8", "v9"}, values(rest), "what was ready, across partitions")
	require.Equal(t, []string{"v0", "v1", "v2"}, values(first), "the first batch is still the caller's")
	require.Equal(t, map[TopicPartition]int64{{Topic: "t", Partition: 0}: 5, {Topic: "t", Partition: 1}: 5}, m.Positions())

	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	defer stop()
	got, err := m.PollBatch(short, 10)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Nil(t, got)

	// A batch waits for its first record.
	prod := mustProducer(t, r, producer.Options{})
	produced := make(chan error, 1)
	go func() {
		_, err := prod.Produce(ctx, producer.Message{Topic: "t", Partition: 1, Value: []byte("v50")})
		produced <- err
	}()
	got, err = m.PollBatch(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"v50"}, values(got))
	require.NoError(t, <-produced)
}

// TestAll iterates over a member's records as the readers' All do: a loop
// that breaks leaves the rest for the next one, and an ended context ends
// the iteration with its error as the last pair.
func TestAll(t *testing.T) {
	r, _ := clockRegistry(t, 2, 3)
	m := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	var seen []string
	for rec, err := range m.All(ctx) {
		require.NoError(t, err)
		seen = append(seen, string(rec.Value))
		if len(seen) == 2 {
			break
		}
	}
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	var last error
	for rec, err := range m.All(short) {
		if err != nil {
			require.Nil(t, rec)
			last = err
			continue
		}
		require.Nil(t, last, "nothing after the error")
		seen = append(seen, string(rec.Value))
	}
	require.ErrorIs(t, last, context.DeadlineExceeded)
	require.Equal(t, []string{"v0", "v1", "v2", "v3", "v4", "v5"}, seen)
}

// TestJoinBeforeTopicExists joins a group over a topic that exists and
// one that does not yet: the member reads the first at once, and the
// second from its start once it is created.
func TestJoinBeforeTopicExists(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "now", topic.Config{})
	require.NoError(t, err)
	prod := mustProducer(t, r, producer.Options{})
	produceN(t, prod, "now", 0, 0, 1, time.Now())
	var assigned [][]TopicPartition
	m := joinGroup(t, r, "g", MemberOptions{Topics: []string{"now", "later"},
		OnAssigned: func(_ context.Context, tps []TopicPartition) { assigned = append(assigned, tps) }})
	require.Len(t, describeGroup(t, r, "g").Members, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	rec, err := m.Poll(ctx)
	require.NoError(t, err)
	require.Equal(t, "v0", string(rec.Value))

	type polled struct {
		rec *consumer.Record
		err error
	}
	got := make(chan polled, 1)
	go func() {
		rec, err := m.Poll(ctx)
		got <- polled{rec, err}
	}()
	_, err = r.Create(t.Context(), "later", topic.Config{Partitions: 2})
	require.NoError(t, err)
	produceN(t, prod, "later", 1, 1, 1, time.Now())
	p := <-got
	rec, err = p.rec, p.err
	require.NoError(t, err, "the member waits for the topic and picks it up")
	require.Equal(t, "later", rec.Topic)
	require.Equal(t, "v1", string(rec.Value))
	require.Equal(t, [][]TopicPartition{
		{{Topic: "now", Partition: 0}},
		{{Topic: "later", Partition: 0}, {Topic: "later", Partition: 1}},
	}, assigned)
	require.Equal(t, []TopicPartition{{Topic: "later", Partition: 0}, {Topic: "later", Partition: 1}, {Topic: "now", Partition: 0}},
		m.Assignment())
	require.Equal(t, 3, len(describeGroup(t, r, "g").Members[0].Assignment))
}

// TestDescribeUnknownGroup checks that a group is known while it has
// members in this process or committed offsets, and that Describe of any
// other is an error.
func TestDescribeUnknownGroup(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{})
	require.NoError(t, err)
	c := groupsOf(t, r)
	_, err = c.Describe("g")
	require.ErrorIs(t, err, ErrUnknownGroup)
	require.Empty(t, c.Groups())

	m := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}, ManualCommit: true})
	d, err := c.Describe("g")
	require.NoError(t, err, "a group with members")
	require.Len(t, d.Members, 1)
	require.Equal(t, []string{"g"}, c.Groups())
	require.NoError(t, m.Close())
	_, err = c.Describe("g")
	require.ErrorIs(t, err, ErrUnknownGroup, "no members left, nothing committed")
	require.Empty(t, c.Groups())

	require.NoError(t, c.Commit(t.Context(), "g", offsets.Commit{Topic: "t", Offset: 1}))
	d, err = c.Describe("g")
	require.NoError(t, err, "a group with committed offsets")
	require.Len(t, d.Partitions, 1)
	require.Empty(t, d.Members)
	require.NoError(t, c.DeleteGroup(t.Context(), "g"))
	_, err = c.Describe("g")
	require.ErrorIs(t, err, ErrUnknownGroup)
	require.EqualError(t, err, fmt.Sprintf("%v: %q", ErrUnknownGroup, "g"))
}

// TestCloseWakesWaitingMember closes the coordinator under a member
// waiting in Poll: the Poll returns ErrClosed at once.
func TestCloseWakesWaitingMember(t *testing.T) {
	_, r := memRegistry(t)
	_, err := r.Create(t.Context(), "t", topic.Config{})
	require.NoError(t, err)
	c := groupsOf(t, r)
	m := joinGroup(t, r, "g", MemberOptions{Topics: []string{"t"}, SessionTimeout: time.Hour, AutoCommitInterval: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := m.Poll(ctx)
		done <- err
	}()
	require.NoError(t, c.Close())
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Poll went on waiting after the coordinator closed")
	}
}
