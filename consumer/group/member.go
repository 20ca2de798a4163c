package group

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/offsets"
)

// MemberOptions configure a member of a consumer group. The zero value of
// every field but Topics means its default; Join copies them.
type MemberOptions struct {
	// Topics are the topics the group reads; every member of a group
	// names the same ones.
	Topics []string
	// Assignor divides the partitions among the members. The first member
	// to join chooses it for the group. Default RangeAssignor.
	Assignor Assignor
	// SessionTimeout removes a member that has not called Poll for this
	// long, and gives its partitions to the others (session.timeout.ms).
	// Default 45 seconds.
	SessionTimeout time.Duration
	// AutoCommitInterval is how often Poll commits the positions of the
	// member's partitions (auto.commit.interval.ms). Default 5 seconds.
	AutoCommitInterval time.Duration
	// ManualCommit turns automatic commits off: positions are committed
	// only by Commit. Default false: Poll commits every
	// AutoCommitInterval, and the member commits before it gives a
	// partition up in a rebalance and when it closes.
	ManualCommit bool
	// Start is where a member starts in a partition for which the group
	// has committed no offset (auto.offset.reset). Default
	// consumer.Earliest: an embedded log's new group usually wants every
	// record, where Kafka's consumers default to the latest.
	Start consumer.Position
	// FailOnOutOfRange: see consumer.Options.
	FailOnOutOfRange bool
}

// Defaults of MemberOptions.
const (
	DefaultSessionTimeout     = 45 * time.Second
	DefaultAutoCommitInterval = 5 * time.Second
)

// Member is one member of a consumer group in this process: it reads the
// partitions the group assigns it, and the group moves partitions between
// members as they join and leave. Within a group each partition is read by
// one member at a time (queue semantics); different groups each read
// every record (publish-subscribe).
//
// A Member is for one goroutine, Close included; to stop a Poll that is
// waiting, cancel its context.
type Member struct {
	c    *Coordinator
	g    *group
	opts MemberOptions
	id   string

	gen        int // the generation the member has caught up with
	cursors    map[TopicPartition]*consumer.PartitionReader
	order      []TopicPartition // cursors' keys, sorted, for taking turns
	current    int
	stint      int
	committed  map[TopicPartition]int64 // what the member last committed
	lastCommit time.Time

	polling  atomic.Bool
	lastPoll atomic.Int64 // unix nanoseconds of the last Poll's end
	closed   atomic.Bool
}

// Join makes a new member of consumer group name, reading opts.Topics.
// The group rebalances: partitions may move between its members.
func (c *Coordinator) Join(name string, opts MemberOptions) (*Member, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if name == "" || len(name) > maxGroupName {
		return nil, fmt.Errorf("%w: %q", ErrInvalidGroup, name)
	}
	if len(opts.Topics) == 0 {
		return nil, fmt.Errorf("%w: a group member needs topics", ErrInvalidConfig)
	}
	for _, t := range opts.Topics {
		if _, err := c.reg.Topic(t); err != nil {
			return nil, err
		}
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	now := c.reg.Now()
	m := &Member{c: c, g: c.groupFor(name), opts: opts, cursors: map[TopicPartition]*consumer.PartitionReader{},
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

// withDefaults returns o with every zero field set to its default.
func (o MemberOptions) withDefaults() MemberOptions {
	if o.Assignor == nil {
		o.Assignor = RangeAssignor{}
	}
	if o.SessionTimeout == 0 {
		o.SessionTimeout = DefaultSessionTimeout
	}
	if o.AutoCommitInterval == 0 {
		o.AutoCommitInterval = DefaultAutoCommitInterval
	}
	return o
}

// validate checks defaulted options.
func (o MemberOptions) validate() error {
	if o.SessionTimeout < 0 || o.AutoCommitInterval < 0 {
		return fmt.Errorf("%w: negative session timeout or commit interval", ErrInvalidConfig)
	}
	return nil
}

// ID is the member's id in its group.
func (m *Member) ID() string { return m.id }

// Assignment returns the partitions the member reads now, sorted.
func (m *Member) Assignment() []TopicPartition { return slices.Clone(m.order) }

// lapsed reports whether the member has been away from Poll for longer
// than its session timeout.
func (m *Member) lapsed(now time.Time) bool {
	return !m.polling.Load() && now.Sub(time.Unix(0, m.lastPoll.Load())) > m.opts.SessionTimeout
}

// expired reports whether the group is to remove the member: its session
// lapsed and it is not closing (Close removes it itself). Callers hold
// the group's lock.
func (m *Member) expired(now time.Time) bool { return !m.closed.Load() && m.lapsed(now) }

// Poll returns the next record of the member's partitions, waiting for one
// until ctx ends. Before it looks for records it takes part in any
// rebalance: it gives up the partitions the group moved away (committing
// their positions first, unless commits are manual) and starts reading
// those it was given, from the group's committed offsets. With automatic
// commits it also commits the positions every AutoCommitInterval. The
// record is valid until the next call. A context that has ended stops Poll
// even when records are waiting.
func (m *Member) Poll(ctx context.Context) (*consumer.Record, error) {
	m.polling.Store(true)
	defer func() {
		m.lastPoll.Store(m.c.reg.Now().UnixNano())
		m.polling.Store(false)
	}()
	for {
		if m.closed.Load() {
			return nil, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if rec, err := m.step(); rec != nil || err != nil {
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
		if rec, err := m.step(); rec != nil || err != nil {
			return rec, err
		}
		// Wake up now and then to commit and to expire silent members.
		timer := time.NewTimer(min(m.opts.SessionTimeout/3, m.opts.AutoCommitInterval))
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(timer.C)})
		chosen, _, _ := reflect.Select(cases)
		timer.Stop()
		if chosen == 0 {
			return nil, ctx.Err()
		}
	}
}

// step takes part in any rebalance, commits if it is time, and returns
// the next record, or nil when there is none.
func (m *Member) step() (*consumer.Record, error) {
	if err := m.sync(); err != nil {
		return nil, err
	}
	if !m.opts.ManualCommit && m.c.reg.Now().Sub(m.lastCommit) >= m.opts.AutoCommitInterval {
		if err := m.Commit(); err != nil {
			return nil, err
		}
	}
	return m.next()
}

// memberStint is how many records a member returns from one partition
// before it looks at the next, as a consumer.TopicReader does.
const memberStint = 256

// next returns a record from the member's partitions, taking turns as a
// consumer.TopicReader does, or nil when none has one.
func (m *Member) next() (*consumer.Record, error) {
	if len(m.order) == 0 {
		return nil, nil
	}
	for range len(m.order) + 1 {
		m.current %= len(m.order)
		if m.stint < memberStint {
			rec, err := m.cursors[m.order[m.current]].TryNext()
			if err != nil {
				return nil, err
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

// sync brings the member up to the group's generation: it gives up what
// was moved away and takes what was given to it and is free.
func (m *Member) sync() error {
	g := m.g
	now := m.c.reg.Now()
	g.mu.Lock()
	g.expireLocked(now)
	if g.members[m.id] != m {
		// The group expired this member: what it read since its last
		// commit may be read again by others. Join again, afresh.
		g.mu.Unlock()
		m.dropAll()
		return g.join(m)
	}
	if g.partitionCountLocked() != g.partitions {
		if err := g.rebalanceLocked(); err != nil {
			g.mu.Unlock()
			return err
		}
	}
	if m.gen == g.generation {
		g.mu.Unlock()
		return nil
	}
	target := make(map[TopicPartition]bool)
	for _, tp := range g.assignment[m.id] {
		target[tp] = true
	}
	g.mu.Unlock()

	// Give up what moved away, committing first.
	var revoked []TopicPartition
	for _, tp := range m.order {
		if !target[tp] {
			revoked = append(revoked, tp)
		}
	}
	var commitErr error
	if len(revoked) > 0 {
		if !m.opts.ManualCommit {
			commitErr = m.commit(revoked)
		}
		for _, tp := range revoked {
			delete(m.cursors, tp)
		}
		m.reorder()
		g.release(m, revoked)
	}

	// Take what is ours and free.
	g.mu.Lock()
	gen := g.generation
	var adopted []TopicPartition
	waiting := false
	for _, tp := range g.assignment[m.id] {
		if m.cursors[tp] != nil {
			continue
		}
		switch g.holder[tp] {
		case "", m.id:
			g.holder[tp] = m.id
			adopted = append(adopted, tp)
		default:
			waiting = true // its holder has not let go yet
		}
	}
	g.mu.Unlock()
	for _, tp := range adopted {
		if err := m.adopt(tp); err != nil {
			return err
		}
	}
	m.reorder()
	if !waiting && gen == m.currentGeneration() {
		m.gen = gen
	}
	return commitErr
}

// currentGeneration is the group's generation now.
func (m *Member) currentGeneration() int {
	m.g.mu.Lock()
	defer m.g.mu.Unlock()
	return m.g.generation
}

// adopt starts reading tp from the group's committed offset, or from
// opts.Start where there is none.
func (m *Member) adopt(tp TopicPartition) error {
	t, err := m.c.reg.Topic(tp.Topic)
	if err != nil {
		return err
	}
	// The member that held tp before may have had a commit accepted
	// that is not written yet: start after it.
	m.c.store.Settle()
	start := consumer.Committed(m.c.store, m.g.name, m.opts.Start)
	r, err := consumer.NewPartitionReader(t, tp.Partition, consumer.Options{Start: start, FailOnOutOfRange: m.opts.FailOnOutOfRange})
	if err != nil {
		return err
	}
	m.cursors[tp] = r
	if c, ok := m.c.store.Committed(m.g.name, tp.Topic, tp.Partition); ok {
		m.committed[tp] = c.Offset
	}
	return nil
}

// reorder rebuilds the turn order after the cursors changed.
func (m *Member) reorder() {
	m.order = m.order[:0]
	for tp := range m.cursors {
		m.order = append(m.order, tp)
	}
	slices.SortFunc(m.order, compareTopicPartitions)
	m.current, m.stint = 0, 0
}

// dropAll stops reading every partition without committing.
func (m *Member) dropAll() {
	clear(m.cursors)
	clear(m.committed)
	m.reorder()
	m.gen = 0
}

// Positions returns, for each partition the member reads, the offset
// after the last record Poll returned from it: what Commit would commit.
// A caller that commits only what it has handled keeps its own positions
// and commits them with CommitOffsets.
func (m *Member) Positions() map[TopicPartition]int64 {
	out := make(map[TopicPartition]int64, len(m.cursors))
	for tp, r := range m.cursors {
		out[tp] = r.Offset()
	}
	return out
}

// Commit commits, for each partition the member reads, the offset after
// the last record Poll returned from it. Partitions whose position has not
// moved since the last commit are left out.
//
// A member commits only while it is in the group and holds the
// partitions. Once its session has lapsed (it stayed away from Poll for
// longer than SessionTimeout) the group may have given them to another
// member: Commit then commits nothing and returns an error wrapping
// ErrRebalanced, and the member's next Poll joins the group again. The
// check and the commit are one step against the group's state, so a
// stale commit never replaces one of the member that took a partition
// over. After Close, Commit returns ErrClosed.
func (m *Member) Commit() error {
	if m.closed.Load() {
		return ErrClosed
	}
	return m.commit(m.order)
}

// CommitOffsets commits offsets the caller chose, with their metadata,
// for the group: for a caller that commits only what it has handled. Each
// must be in a partition the member reads; as with Commit, nothing is
// committed and the error wraps ErrRebalanced when the member no longer
// holds one of them.
func (m *Member) CommitOffsets(commits ...offsets.Commit) error {
	if m.closed.Load() {
		return ErrClosed
	}
	return m.commitOffsets(commits)
}

// commit commits the positions of tps that moved since the last commit.
func (m *Member) commit(tps []TopicPartition) error {
	m.lastCommit = m.c.reg.Now()
	var commits []offsets.Commit
	for _, tp := range tps {
		r := m.cursors[tp]
		if r == nil {
			continue
		}
		pos := r.Offset()
		if last, ok := m.committed[tp]; ok && last == pos {
			continue
		}
		commits = append(commits, offsets.Commit{Topic: tp.Topic, Partition: tp.Partition, Offset: pos})
	}
	return m.commitOffsets(commits)
}

// commitOffsets commits for the group if the member holds every
// partition named, and nothing otherwise. It checks the member's place
// in the group even when there is nothing to commit.
func (m *Member) commitOffsets(commits []offsets.Commit) error {
	if err := m.c.checkTopics(commits); err != nil {
		return err
	}
	round, err := m.g.commit(m, commits)
	if err != nil {
		return err
	}
	if round != nil {
		if err := round.Wait(); err != nil {
			return err
		}
	}
	for _, c := range commits {
		m.committed[TopicPartition{Topic: c.Topic, Partition: c.Partition}] = c.Offset
	}
	return nil
}

// Close leaves the group: with automatic commits it first commits the
// positions of its partitions, then gives them up to the other members.
// A member whose session has lapsed commits nothing, since its partitions
// may be another member's, and Close returns nil all the same: the member
// is out of the group either way, and the records it returned since its
// last commit will be read again. A caller that needs to know calls
// Commit first, which reports ErrRebalanced. Close is idempotent.
func (m *Member) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	var err error
	if !m.opts.ManualCommit && !m.c.closed.Load() {
		if err = m.commit(m.order); errors.Is(err, ErrRebalanced) {
			err = nil
		}
	}
	m.g.leave(m)
	clear(m.cursors)
	m.reorder()
	return err
}
