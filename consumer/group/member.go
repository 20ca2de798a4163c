package group

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/partition"
)

// Member is one member of a consumer group in this process: it reads the
// partitions the group assigns it, and the group moves partitions between
// members as they join and leave. Within a group each partition is read by
// one member at a time (queue semantics); different groups each read
// every record (publish-subscribe).
//
// A Member is for one goroutine, Close included; to stop a Poll that is
// waiting, cancel its context. Its rebalance callbacks run on that
// goroutine, inside Poll, PollBatch, All and Close.
type Member struct {
	c    *Coordinator
	g    *group
	opts MemberOptions
	id   string

	// The fields below are the member's goroutine's; the group reads
	// cursors under its lock, from that goroutine (group.commit).
	synced     uint64 // the group's version the member last caught up with
	cursors    map[TopicPartition]*cursor
	order      []TopicPartition // cursors' keys, sorted, for taking turns
	current    int
	stint      int
	committed  map[TopicPartition]int64 // what the member last committed, or started from
	lastCommit time.Time
	// readErr is a read error PollBatch met once it had records to
	// return: the next poll returns it.
	readErr    error
	inCallback bool

	polling  atomic.Bool  // inside Poll (or Close), taking part in rebalances
	lastPoll atomic.Int64 // unix nanoseconds of the last Poll's end
	closing  atomic.Bool  // Close has begun
	closed   atomic.Bool  // Close has ended
}

// cursor reads one partition the member holds.
type cursor struct {
	r    *consumer.PartitionReader
	part *partition.Partition
	hold hold // the lease it reads under
}

// Join makes a new member of consumer group name, reading opts.Topics.
// The group rebalances at once: the new member's share of the partitions
// is computed now, and those of them that are free, or held by members
// that have been away from Poll for longer than their RebalanceTimeout,
// are the new member's from its first Poll; the others follow as their
// holders give them up. A topic that does not exist yet adds no
// partitions until it is created. On a read-only registry Join fails with
// an error wrapping ErrReadOnly: a member commits.
func (c *Coordinator) Join(name string, opts MemberOptions) (*Member, error) {
	if c.closed.Load() || c.reg.Closed() {
		return nil, ErrClosed
	}
	if err := c.refuseReadOnly("join group " + strconv.Quote(name)); err != nil {
		return nil, err
	}
	if name == "" || len(name) > maxGroupName {
		return nil, fmt.Errorf("%w: %q", ErrInvalidGroup, name)
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	now := c.reg.Now()
	m := &Member{c: c, g: c.groupFor(name), opts: opts, cursors: map[TopicPartition]*cursor{},
		committed: map[TopicPartition]int64{}, lastCommit: now}
	m.lastPoll.Store(now.UnixNano())
	if err := m.g.join(m); err != nil {
		return nil, err
	}
	return m, nil
}

// maxGroupName is the longest group name: an int16 length in the
// committed offsets' keys.
const maxGroupName = 1<<15 - 1

// ID is the member's id in its group. A member that the group expired
// gets a new one when its next Poll joins again.
func (m *Member) ID() string { return m.id }

// Assignment returns the partitions the member reads, sorted, as of its
// last Poll: those the group moved away since are dropped by the next.
func (m *Member) Assignment() []TopicPartition { return slices.Clone(m.order) }

// lastPollTime is when the member's last Poll ended.
func (m *Member) lastPollTime() time.Time { return time.Unix(0, m.lastPoll.Load()) }

// lapsed reports whether the member has been away from Poll for longer
// than its session timeout.
func (m *Member) lapsed(now time.Time) bool {
	return !m.polling.Load() && now.Sub(m.lastPollTime()) > m.opts.SessionTimeout
}

// expired reports whether the group is to remove the member: its session
// lapsed and it is not closing (Close removes it itself). Callers hold
// the group's lock.
func (m *Member) expired(now time.Time) bool { return !m.closing.Load() && m.lapsed(now) }

// away reports whether a rebalance may take partitions from the member
// without its help: it has been away from Poll for at least its
// rebalance timeout, and is not closing.
func (m *Member) away(now time.Time) bool {
	return !m.closing.Load() && !m.polling.Load() && now.Sub(m.lastPollTime()) >= m.opts.RebalanceTimeout
}

// Poll returns the next record of the member's partitions, waiting for one
// until ctx ends. Before it looks for records it takes part in any
// rebalance: it gives up the partitions the group moved away (committing
// their positions first, unless commits are manual, then calling
// OnRevoked), drops those it lost (OnLost), and starts reading those it
// was given, from the group's committed offsets (OnAssigned). With
// automatic commits it also commits the positions every
// AutoCommitInterval. The record is valid until the next call; Clone
// keeps it. A context that has ended stops Poll even when records are
// waiting.
func (m *Member) Poll(ctx context.Context) (*consumer.Record, error) {
	if err := m.begin(); err != nil {
		return nil, err
	}
	defer m.end()
	rec, err := m.wait(ctx)
	if rec != nil {
		m.reportLag()
	}
	return rec, err
}

// PollBatch returns records of the member's partitions, at most max of
// them: it waits, as Poll does, until one is ready or ctx ends, then
// takes whatever more is ready without waiting. The records are copies
// the caller owns. A read error met after the first record is returned by
// the next call, so that no record taken is dropped. max below 1 is an
// error wrapping ErrInvalidConfig.
func (m *Member) PollBatch(ctx context.Context, max int) ([]*consumer.Record, error) {
	if max < 1 {
		return nil, fmt.Errorf("%w: a batch of at most %d records", ErrInvalidConfig, max)
	}
	if err := m.begin(); err != nil {
		return nil, err
	}
	defer m.end()
	rec, err := m.wait(ctx)
	if err != nil {
		return nil, err
	}
	out := []*consumer.Record{rec.Clone()}
	for len(out) < max {
		rec, err := m.next()
		if err != nil {
			m.readErr = err
			break
		}
		if rec == nil {
			break
		}
		out = append(out, rec.Clone())
	}
	m.reportLag()
	return out, nil
}

// All iterates over the records of the member's partitions as Poll
// returns them, waiting for new ones, until ctx ends or polling fails;
// the last pair yielded then holds the error, as the readers' All do.
// Each record is valid until the loop's next iteration: append
// rec.Clone(), not rec, to keep it.
func (m *Member) All(ctx context.Context) iter.Seq2[*consumer.Record, error] {
	return func(yield func(*consumer.Record, error) bool) {
		for {
			rec, err := m.Poll(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// begin starts a poll: the member takes part in rebalances until end.
func (m *Member) begin() error {
	if m.inCallback {
		return fmt.Errorf("%w: poll", ErrInCallback)
	}
	if m.closing.Load() {
		return ErrClosed
	}
	m.polling.Store(true)
	return nil
}

// end ends a poll.
func (m *Member) end() {
	m.lastPoll.Store(m.c.reg.Now().UnixNano())
	m.polling.Store(false)
}

// wait returns the next record, waiting for one until ctx ends.
func (m *Member) wait(ctx context.Context) (*consumer.Record, error) {
	for {
		if m.c.closed.Load() || m.c.reg.Closed() {
			return nil, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := m.readErr; err != nil {
			m.readErr = nil
			return nil, err
		}
		if rec, err := m.step(ctx); rec != nil || err != nil {
			return rec, err
		}
		// Nothing to return: take the channels, then look once more,
		// so that a change in between wakes the member.
		cases := []reflect.SelectCase{
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
			{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(m.g.changes.Wait())},
		}
		for _, name := range m.opts.Topics {
			if t, err := m.c.reg.Topic(name); err == nil {
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(t.Changed())})
			}
		}
		if rec, err := m.step(ctx); rec != nil || err != nil {
			return rec, err
		}
		// Wake up to commit, and when the group may change on its own:
		// a session lapsing, a rebalance timeout passing, a topic to
		// look for.
		timer := time.NewTimer(m.wakeAfter())
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(timer.C)})
		chosen, _, _ := reflect.Select(cases)
		timer.Stop()
		if chosen == 0 {
			return nil, ctx.Err()
		}
	}
}

// wakeAfter is how long a waiting member sleeps at most.
func (m *Member) wakeAfter() time.Duration {
	d := min(m.opts.SessionTimeout/3, m.opts.AutoCommitInterval)
	now := m.c.reg.Now()
	m.g.mu.Lock()
	next, ok := m.g.nextDeadlineLocked(now)
	m.g.unlock()
	if ok {
		d = min(d, next)
	}
	return max(d, time.Millisecond)
}

// step takes part in any rebalance, commits if it is time, and returns
// the next record, or nil when there is none.
func (m *Member) step(ctx context.Context) (*consumer.Record, error) {
	if err := m.sync(ctx); err != nil {
		return nil, err
	}
	if !m.opts.ManualCommit && m.c.reg.Now().Sub(m.lastCommit) >= m.opts.AutoCommitInterval {
		if _, err := m.commit(ctx, m.order, commitHeld); err != nil {
			return nil, err
		}
	}
	return m.next()
}

// memberStint is how many records a member returns from one partition
// before it looks at the next, as a consumer.TopicReader does.
const memberStint = 256

// next returns a record from the member's partitions, taking turns as a
// consumer.TopicReader does, or nil when none has one. A partition whose
// topic was deleted is skipped: the member's next sync drops it.
func (m *Member) next() (*consumer.Record, error) {
	if len(m.order) == 0 {
		return nil, nil
	}
	for range len(m.order) + 1 {
		m.current %= len(m.order)
		if m.stint < memberStint {
			rec, err := m.cursors[m.order[m.current]].r.TryNext()
			if err != nil && !(errors.Is(err, ErrClosed) && !m.c.reg.Closed()) {
				return nil, err
			}
			if err != nil {
				m.synced = 0 // look at the group again
			}
			if rec != nil {
				m.stint++
				return rec, nil
			}
		}
		m.current = (m.current + 1) % len(m.order)
		m.stint = 0
	}
	return nil, nil
}

// reportLag sets the consumer lag of every partition the member reads.
func (m *Member) reportLag() {
	if m.c.metrics == metrics.Discard {
		return
	}
	for tp, cur := range m.cursors {
		lag := max(cur.part.HighWatermark()-cur.r.Offset(), 0)
		m.c.metrics.Set(metrics.ConsumerLag, metrics.Labels{Topic: tp.Topic, Partition: tp.Partition, Group: m.g.name}, float64(lag))
	}
}

// Close leaves the group. With automatic commits it first commits the
// positions of its partitions; then it calls OnRevoked with them, and
// gives them up to the other members. A member whose session has lapsed
// commits nothing, since its partitions may be another member's (it calls
// OnLost instead), and Close returns nil all the same: the member is out
// of the group either way, and the records it returned since its last
// commit will be read again. A caller that needs to know calls Commit
// first, which reports ErrRebalanced. The callbacks run on the calling
// goroutine with a context that does not end. Close is idempotent.
func (m *Member) Close() error {
	if m.inCallback {
		return fmt.Errorf("%w: close", ErrInCallback)
	}
	if m.closing.Swap(true) {
		return nil
	}
	defer m.closed.Store(true)
	ctx := context.Background()
	g := m.g
	now := m.c.reg.Now()
	g.mu.Lock()
	member := g.members[m.id] == m && !m.lapsed(now) && !m.c.closed.Load()
	// Taking part, as in Poll, until the member has left.
	m.polling.Store(true)
	var held, lost []TopicPartition
	for tp, cur := range m.cursors {
		if member && g.holder[tp].hold == cur.hold {
			held = append(held, tp)
		} else {
			lost = append(lost, tp)
		}
	}
	g.unlock()
	defer m.polling.Store(false)
	slices.SortFunc(held, compareTopicPartitions)
	slices.SortFunc(lost, compareTopicPartitions)

	if len(lost) > 0 {
		m.drop(lost)
		m.lose(ctx, lost)
	}
	var err error
	if len(held) > 0 {
		if !m.opts.ManualCommit {
			if _, err = m.commit(ctx, held, commitHandover); errors.Is(err, ErrRebalanced) {
				err = nil
			}
		}
		m.callback(ctx, m.opts.OnRevoked, held)
	}
	g.leave(m)
	m.drop(slices.Clone(m.order))
	return err
}
