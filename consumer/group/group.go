package group

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
)

// missingTopicCheck is how often a waiting member looks for a subscribed
// topic that does not exist yet: the registry announces no creations.
const missingTopicCheck = 100 * time.Millisecond

// hold is a member's right to read a partition: the member's id and a
// lease, new each time the group hands the partition to a member. A
// member that loses a partition and is given it again holds a new lease,
// so that neither its old reader nor its old position passes for the new
// one.
type hold struct {
	member string
	lease  uint64
}

// holding is a hold, and whether its member has started reading: a
// partition handed to a member that has not begun to read it moves on
// without the member's help.
type holding struct {
	hold
	started bool
}

// topicState is what the group saw of one of its topics when it last
// rebalanced.
type topicState struct {
	t     *topic.Topic // nil: the topic did not exist
	parts int32
}

// group coordinates the members of one consumer group in this process
// (doc.go tells the protocol). It keeps the members, the assignment of
// the current generation, and who holds each partition: the one member
// that may read it now. A partition held by a member other than its
// owner in the assignment is moving: its holder gives it up at its next
// Poll, or loses it once it has been away from Poll for longer than its
// RebalanceTimeout, and the partition's owner holds it from then on.
type group struct {
	c    *Coordinator
	name string

	mu       sync.Mutex
	topics   []string // sorted
	assignor Assignor
	members  map[string]*Member
	nextID   int
	// generation counts the group's rebalances.
	generation int
	// seen is what the assignment was computed from.
	seen map[string]topicState
	// assignment is each member's partitions in this generation, and
	// owner the same by partition.
	assignment map[string][]TopicPartition
	owner      map[TopicPartition]string
	holder     map[TopicPartition]holding
	moving     int // partitions held by a member other than their owner
	lastLease  uint64
	// version counts changes of the assignment and of the holders, so
	// that a member that has caught up skips the comparison.
	version uint64
	// lines are logged once the lock is released.
	lines []logLine
	// changes is woken at every change of version.
	changes notify.Notifier
}

// logLine is a line to log once the group's lock is released.
type logLine struct {
	level slog.Level
	msg   string
	attrs []slog.Attr
}

// groupFor returns the state of group name, making it if needed.
func (c *Coordinator) groupFor(name string) *group {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.groups[name]
	if g == nil {
		g = &group{c: c, name: name, members: map[string]*Member{}, owner: map[TopicPartition]string{},
			holder: map[TopicPartition]holding{}}
		c.groups[name] = g
	}
	return g
}

// unlock releases the group's lock and then logs the lines queued under
// it, so that no handler runs with the lock held.
func (g *group) unlock() {
	lines := g.lines
	g.lines = nil
	g.mu.Unlock()
	for _, l := range lines {
		g.c.log.LogAttrs(context.Background(), l.level, l.msg, l.attrs...)
	}
}

// logLocked queues a line naming the group.
func (g *group) logLocked(level slog.Level, msg string, attrs ...slog.Attr) {
	attrs = append([]slog.Attr{slog.String("group", g.name)}, attrs...)
	g.lines = append(g.lines, logLine{level: level, msg: msg, attrs: attrs})
}

// memberCount is how many members the group has.
func (g *group) memberCount() int {
	g.mu.Lock()
	defer g.unlock()
	return len(g.members)
}

// join adds m to the group and starts a new generation, whose assignment
// counts m: the partitions moved to m that are free, or held by members
// away from Poll past their rebalance timeout, are m's at once.
func (g *group) join(m *Member) error {
	topics := slices.Compact(slices.Sorted(slices.Values(m.opts.Topics)))
	now := g.c.reg.Now()
	g.mu.Lock()
	defer g.unlock()
	// Members whose session lapsed go first, so that the new generation
	// does not count them.
	g.expireLocked(now)
	if len(g.members) == 0 {
		g.topics, g.assignor = topics, m.opts.Assignor
	} else if !slices.Equal(g.topics, topics) {
		return fmt.Errorf("%w: group %q reads %v, not %v", ErrGroupTopics, g.name, g.topics, topics)
	}
	g.nextID++
	m.id = fmt.Sprintf("%s-%06d", g.name, g.nextID)
	g.members[m.id] = m
	g.logLocked(slog.LevelInfo, "member joined", slog.String("member", m.id))
	g.rebalanceLocked(now)
	return nil
}

// leave removes m, releasing what it holds, and starts a new generation.
func (g *group) leave(m *Member) {
	now := g.c.reg.Now()
	g.mu.Lock()
	defer g.unlock()
	if g.members[m.id] != m {
		return
	}
	delete(g.members, m.id)
	g.releaseAllLocked(m.id)
	g.logLocked(slog.LevelInfo, "member left", slog.String("member", m.id))
	g.rebalanceLocked(now)
}

// releaseAllLocked frees every partition member id holds.
func (g *group) releaseAllLocked(id string) {
	for tp, h := range g.holder {
		if h.member == id {
			delete(g.holder, tp)
		}
	}
}

// release frees the partitions m gave up, if it still holds them under
// the leases given, and hands them to their owners.
func (g *group) release(holds map[TopicPartition]hold) {
	now := g.c.reg.Now()
	g.mu.Lock()
	defer g.unlock()
	freed := false
	for tp, h := range holds {
		if g.holder[tp].hold == h {
			delete(g.holder, tp)
			freed = true
		}
	}
	if freed {
		g.settleLocked(now)
		g.changedLocked()
	}
}

// expireLocked removes members that have not polled for longer than
// their session timeout, releasing their partitions without a commit.
func (g *group) expireLocked(now time.Time) {
	var expired []string
	for id, m := range g.members {
		if m.expired(now) {
			expired = append(expired, id)
		}
	}
	if len(expired) == 0 {
		return
	}
	slices.Sort(expired)
	for _, id := range expired {
		m := g.members[id]
		delete(g.members, id)
		g.releaseAllLocked(id)
		g.logLocked(slog.LevelWarn, "member expired", slog.String("member", id),
			slog.Duration("session_timeout", m.opts.SessionTimeout))
	}
	g.rebalanceLocked(now)
}

// topicsChangedLocked reports whether a topic of the group appeared,
// went, was created again or grew since the assignment was computed. A
// closing registry changes nothing.
func (g *group) topicsChangedLocked() bool {
	if g.c.reg.Closed() {
		return false
	}
	for _, name := range g.topics {
		st := g.seen[name]
		t, err := g.c.reg.Topic(name)
		if err != nil {
			t = nil
		}
		if t != st.t || (t != nil && t.NumPartitions() != st.parts) {
			return true
		}
	}
	return false
}

// lookTopics returns the state of the group's topics now.
func (g *group) lookTopics() map[string]topicState {
	seen := make(map[string]topicState, len(g.topics))
	for _, name := range g.topics {
		if t, err := g.c.reg.Topic(name); err == nil {
			seen[name] = topicState{t: t, parts: t.NumPartitions()}
		} else {
			seen[name] = topicState{}
		}
	}
	return seen
}

// rebalanceLocked starts a new generation: it computes the assignment
// among the current members over the partitions of the topics that exist
// now, and moves partitions toward it (settleLocked). Partitions that no
// longer exist, because their topic was deleted, perhaps to be created
// again, are nobody's from now on.
func (g *group) rebalanceLocked(now time.Time) {
	g.generation++
	seen := g.lookTopics()
	for tp := range g.holder {
		old, cur := g.seen[tp.Topic], seen[tp.Topic]
		if cur.t == nil || cur.t != old.t || tp.Partition >= cur.parts {
			delete(g.holder, tp)
		}
	}
	g.seen = seen
	var parts []TopicPartition
	for _, name := range g.topics {
		for i := range seen[name].parts {
			parts = append(parts, TopicPartition{Topic: name, Partition: i})
		}
	}
	ids := slices.Sorted(maps.Keys(g.members))
	previous := g.assignment
	g.assignment, g.owner = nil, map[TopicPartition]string{}
	if len(ids) > 0 {
		g.assignment = sanitizeAssignment(g.assignor.Assign(ids, parts, previous), ids, parts)
		for id, tps := range g.assignment {
			for _, tp := range tps {
				g.owner[tp] = id
			}
		}
	}
	g.logLocked(slog.LevelInfo, "group rebalanced", slog.Int("generation", g.generation),
		slog.Int("members", len(ids)), slog.Int("partitions", len(g.owner)))
	g.settleLocked(now)
	g.changedLocked()
}

// sanitizeAssignment keeps, of what an assignor returned, each partition
// that exists, given once, to a member that exists; every member has an
// entry, sorted.
func sanitizeAssignment(got map[string][]TopicPartition, ids []string, parts []TopicPartition) map[string][]TopicPartition {
	exists := make(map[TopicPartition]bool, len(parts))
	for _, tp := range parts {
		exists[tp] = true
	}
	out := make(map[string][]TopicPartition, len(ids))
	for _, id := range ids {
		var mine []TopicPartition
		for _, tp := range got[id] {
			if exists[tp] {
				mine = append(mine, tp)
				delete(exists, tp)
			}
		}
		slices.SortFunc(mine, compareTopicPartitions)
		out[id] = mine
	}
	return out
}

// settleLocked moves partitions toward the assignment as far as it can
// without the members: it frees those held by members that left, that
// have not started reading them, or that have been away from Poll for
// longer than their rebalance timeout, and hands every free partition to
// its owner under a new lease. Members holding partitions they no longer
// own, and still polling, give them up themselves (Member.sync).
func (g *group) settleLocked(now time.Time) {
	changed := false
	var taken map[string][]TopicPartition
	for tp, h := range g.holder {
		if g.owner[tp] == h.member {
			continue
		}
		m := g.members[h.member]
		if m != nil && h.started && !m.away(now) {
			continue
		}
		delete(g.holder, tp)
		changed = true
		if m != nil && h.started {
			if taken == nil {
				taken = map[string][]TopicPartition{}
			}
			taken[h.member] = append(taken[h.member], tp)
		}
	}
	for tp, id := range g.owner {
		if _, held := g.holder[tp]; !held {
			g.lastLease++
			g.holder[tp] = holding{hold: hold{member: id, lease: g.lastLease}}
			changed = true
		}
	}
	g.moving = 0
	for tp, h := range g.holder {
		if g.owner[tp] != h.member {
			g.moving++
		}
	}
	for _, id := range slices.Sorted(maps.Keys(taken)) {
		m := g.members[id]
		g.logLocked(slog.LevelWarn, "partitions taken from idle member", slog.String("member", id),
			slog.Int("generation", g.generation), slog.Int("partitions", len(taken[id])),
			slog.Duration("idle", now.Sub(m.lastPollTime())))
	}
	if changed {
		g.changedLocked()
	}
}

// changedLocked records a change of the assignment or the holders and
// wakes the waiting members.
func (g *group) changedLocked() {
	g.version++
	g.changes.Broadcast()
}

// nextDeadlineLocked returns how long until the group may change without
// any member's doing (a session lapsing, a rebalance timeout passing, a
// missing topic to look for again), and false if nothing is due.
func (g *group) nextDeadlineLocked(now time.Time) (time.Duration, bool) {
	var next time.Duration
	found := false
	consider := func(d time.Duration) {
		if !found || d < next {
			next, found = d, true
		}
	}
	for _, m := range g.members {
		if m.polling.Load() || m.closing.Load() {
			continue
		}
		consider(m.opts.SessionTimeout - now.Sub(m.lastPollTime()) + time.Millisecond)
	}
	if g.moving > 0 {
		for tp, h := range g.holder {
			m := g.members[h.member]
			if g.owner[tp] == h.member || m == nil || !h.started || m.polling.Load() || m.closing.Load() {
				continue
			}
			consider(m.opts.RebalanceTimeout - now.Sub(m.lastPollTime()))
		}
	}
	for _, name := range g.topics {
		if g.seen[name].t == nil {
			consider(missingTopicCheck)
		}
	}
	return max(next, time.Millisecond), found
}

// commit queues commits of member m, if m is in the group and holds, under
// the lease of its reader, every partition they name, and refuses them
// all with ErrRebalanced otherwise (as Kafka refuses an OffsetCommit of a
// stale generation whole); lenient leaves out those of partitions m no
// longer holds instead, and returns what it kept. The check and the
// queueing are one step under the group's lock, and the store writes and
// applies rounds in the order they were queued, so a commit that passed
// the check is applied before any commit of a member that takes one of
// its partitions afterwards. The caller waits for the round outside the
// lock; it is nil when there is nothing to commit. Only m's goroutine
// calls commit: it reads m's readers.
func (g *group) commit(m *Member, commits []offsets.Commit, lenient bool) (*offsets.Pending, []offsets.Commit, error) {
	now := g.c.reg.Now()
	g.mu.Lock()
	defer g.unlock()
	g.expireLocked(now)
	// A closing member is not expired by the group but leaves it; it
	// commits only within its session.
	if g.members[m.id] != m || m.lapsed(now) {
		return nil, nil, fmt.Errorf("%w: member %s is no longer in group %q", ErrRebalanced, m.id, g.name)
	}
	kept := commits
	if lenient {
		kept = nil
	}
	for _, c := range commits {
		tp := TopicPartition{Topic: c.Topic, Partition: c.Partition}
		cur := m.cursors[tp]
		if cur == nil || g.holder[tp].hold != cur.hold {
			if lenient {
				continue
			}
			return nil, nil, fmt.Errorf("%w: group %q: member %s does not hold %s-%d",
				ErrRebalanced, g.name, m.id, c.Topic, c.Partition)
		}
		if lenient {
			kept = append(kept, c)
		}
	}
	round, err := g.c.store.Queue(g.name, kept...)
	if err != nil {
		return nil, nil, err
	}
	return round, kept, nil
}

// topicDeleted takes the partitions of a deleted topic from the members:
// they are nobody's, and commits naming them are refused from now on.
func (g *group) topicDeleted(name string) {
	now := g.c.reg.Now()
	g.mu.Lock()
	defer g.unlock()
	if len(g.members) > 0 && slices.Contains(g.topics, name) {
		g.rebalanceLocked(now)
	}
}

// start marks the partitions m is about to read as started, if m still
// holds them under the leases given, and returns those it may read: from
// now on they move only with m's help, or once m is away.
func (g *group) start(holds map[TopicPartition]hold) map[TopicPartition]hold {
	g.mu.Lock()
	defer g.unlock()
	ok := make(map[TopicPartition]hold, len(holds))
	for tp, h := range holds {
		if cur := g.holder[tp]; cur.hold == h {
			cur.started = true
			g.holder[tp] = cur
			ok[tp] = h
		}
	}
	return ok
}
