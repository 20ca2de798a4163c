package group

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/offsets"
)

// group coordinates the members of one consumer group in this process: it
// keeps the members, the generation (bumped at every change of
// membership or of the topics' partitions), the assignment of the
// current generation, and which member holds each partition. A partition
// moves from one member to another only once the first has released it,
// which it does after committing what it returned (when it commits
// automatically): no record is returned by two members because of a
// rebalance.
type group struct {
	c    *Coordinator
	name string

	mu         sync.Mutex
	topics     []string // sorted
	assignor   Assignor
	members    map[string]*Member
	nextID     int
	generation int
	partitions int // how many partitions the assignment divided
	assignment map[string][]TopicPartition
	holder     map[TopicPartition]string
	// changes is woken by every new generation and every release.
	changes notify.Notifier
}

// groupFor returns the state of group name, making it if needed.
func (c *Coordinator) groupFor(name string) *group {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.groups[name]
	if g == nil {
		g = &group{c: c, name: name, members: map[string]*Member{}, holder: map[TopicPartition]string{}}
		c.groups[name] = g
	}
	return g
}

// join adds m to the group and starts a new generation.
func (g *group) join(m *Member) error {
	topics := slices.Sorted(slices.Values(m.opts.Topics))
	topics = slices.Compact(topics)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.members) == 0 {
		g.topics, g.assignor = topics, m.opts.Assignor
	} else if !slices.Equal(g.topics, topics) {
		return fmt.Errorf("%w: group %q reads %v, not %v", ErrGroupTopics, g.name, g.topics, topics)
	}
	g.nextID++
	m.id = fmt.Sprintf("%s-%06d", g.name, g.nextID)
	g.members[m.id] = m
	if err := g.rebalanceLocked(); err != nil {
		delete(g.members, m.id)
		g.rebalanceLocked()
		return err
	}
	return nil
}

// leave removes m, releasing what it holds, and starts a new generation.
func (g *group) leave(m *Member) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.members[m.id] != m {
		return
	}
	delete(g.members, m.id)
	g.releaseAllLocked(m.id)
	g.rebalanceLocked()
}

// releaseAllLocked frees every partition member id holds.
func (g *group) releaseAllLocked(id string) {
	for tp, h := range g.holder {
		if h == id {
			delete(g.holder, tp)
		}
	}
	g.changes.Broadcast()
}

// release frees partitions m held, once it has stopped reading them.
func (g *group) release(m *Member, tps []TopicPartition) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, tp := range tps {
		if g.holder[tp] == m.id {
			delete(g.holder, tp)
		}
	}
	g.changes.Broadcast()
}

// rebalanceLocked computes the assignment of a new generation among the
// current members.
func (g *group) rebalanceLocked() error {
	g.generation++
	g.changes.Broadcast()
	if len(g.members) == 0 {
		g.assignment = nil
		return nil
	}
	var parts []TopicPartition
	for _, name := range g.topics {
		t, err := g.c.reg.Topic(name)
		if err != nil {
			return err
		}
		for i := range t.NumPartitions() {
			parts = append(parts, TopicPartition{Topic: name, Partition: int32(i)})
		}
	}
	g.partitions = len(parts)
	ids := slices.Sorted(maps.Keys(g.members))
	g.assignment = g.assignor.Assign(ids, parts, g.assignment)
	return nil
}

// commit queues commits of member m, if m is in the group and holds
// every partition they name, and refuses them all with ErrRebalanced
// otherwise (as Kafka refuses an OffsetCommit of a stale generation
// whole). A member's id stands for its membership: one that joins again
// after expiry has a new id, and holds nothing of the old. The check and
// the queueing are one step under the group's lock, and the store writes
// and applies rounds in the order they were queued, so a commit that
// passed the check is applied before any commit of a member that takes
// one of its partitions afterwards. The caller waits for the round
// outside the lock; it is nil when there is nothing to commit.
func (g *group) commit(m *Member, commits []offsets.Commit) (*offsets.Pending, error) {
	now := g.c.reg.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.expireLocked(now)
	// A closing member is not expired by the group but leaves it; it
	// commits only within its session.
	if g.members[m.id] != m || m.lapsed(now) {
		return nil, fmt.Errorf("%w: member %s is no longer in group %q", ErrRebalanced, m.id, g.name)
	}
	for _, c := range commits {
		if g.holder[TopicPartition{Topic: c.Topic, Partition: c.Partition}] != m.id {
			return nil, fmt.Errorf("%w: group %q: member %s does not hold %s-%d",
				ErrRebalanced, g.name, m.id, c.Topic, c.Partition)
		}
	}
	return g.c.store.Queue(g.name, commits...)
}

// expireLocked removes members that have not polled for longer than
// their session timeout, releasing their partitions without a commit.
func (g *group) expireLocked(now time.Time) {
	expired := false
	for id, m := range g.members {
		if m.expired(now) {
			delete(g.members, id)
			g.releaseAllLocked(id)
			expired = true
		}
	}
	if expired {
		g.rebalanceLocked()
	}
}

// partitionCountLocked counts the partitions of the group's topics now.
func (g *group) partitionCountLocked() int {
	n := 0
	for _, name := range g.topics {
		if t, err := g.c.reg.Topic(name); err == nil {
			n += int(t.NumPartitions())
		}
	}
	return n
}

// Description describes a consumer group.
type Description struct {
	Name string
	// Generation counts the group's rebalances in this process.
	Generation int
	// Strategy is the assignor's name, "" when no member is in the group.
	Strategy string
	// Members are the members in this process and their partitions.
	Members []MemberDescription
	// Partitions are the group's committed offsets and lag.
	Partitions []PartitionDescription
}

// MemberDescription is one member of a group.
type MemberDescription struct {
	ID         string
	Assignment []TopicPartition
}

// PartitionDescription is a group's position in one partition.
type PartitionDescription struct {
	TopicPartition
	Committed offsets.Committed
	// HighWatermark is the partition's; Lag is how many records lie
	// between the committed offset and it.
	HighWatermark, Lag int64
}

// Describe describes group name: its members in this process, their
// assignments, and its committed offsets with their lag.
func (c *Coordinator) Describe(name string) Description {
	d := Description{Name: name}
	c.mu.Lock()
	g := c.groups[name]
	c.mu.Unlock()
	if g != nil {
		g.mu.Lock()
		d.Generation = g.generation
		if len(g.members) > 0 {
			d.Strategy = g.assignor.Name()
		}
		for _, id := range slices.Sorted(maps.Keys(g.members)) {
			d.Members = append(d.Members, MemberDescription{ID: id, Assignment: slices.Clone(g.assignment[id])})
		}
		g.mu.Unlock()
	}
	committed := c.store.Group(name)
	for _, tp := range slices.SortedFunc(maps.Keys(committed), compareTopicPartitions) {
		gp := PartitionDescription{TopicPartition: tp, Committed: committed[tp]}
		if t, err := c.reg.Topic(tp.Topic); err == nil {
			if p, err := t.Partition(tp.Partition); err == nil {
				gp.HighWatermark = p.HighWatermark()
				gp.Lag = max(gp.HighWatermark-gp.Committed.Offset, 0)
			}
		}
		d.Partitions = append(d.Partitions, gp)
	}
	return d
}
