package group

import (
	"fmt"
	"maps"
	"slices"

	"github.com/commitlog-go/commitlog/offsets"
)

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
	ID string
	// Assignment is the member's share of the current generation. A
	// partition moving to the member is read by its previous holder until
	// that one gives it up.
	Assignment []TopicPartition
}

// PartitionDescription is a group's position in one partition.
type PartitionDescription struct {
	TopicPartition
	Committed offsets.Committed
	// HighWatermark is the partition's; Lag is how many records lie
	// between the committed offset and it. Both are 0 for a partition
	// that no longer exists.
	HighWatermark, Lag int64
}

// Describe describes group name: its members in this process, their
// assignments, and its committed offsets with their lag. A group with
// neither members in this process nor committed offsets is unknown: the
// error wraps ErrUnknownGroup. On a read-only registry a description has
// no members, since no member can join in this process and those of the
// process writing the registry are not visible, and holds the offsets
// committed when Open read them.
func (c *Coordinator) Describe(name string) (Description, error) {
	d := Description{Name: name}
	c.mu.Lock()
	g := c.groups[name]
	c.mu.Unlock()
	if g != nil {
		g.describe(&d)
	}
	committed := c.store.Group(name)
	if len(d.Members) == 0 && len(committed) == 0 {
		return Description{}, fmt.Errorf("%w: %q", ErrUnknownGroup, name)
	}
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
	return d, nil
}

// describe fills in the group's generation, strategy and members.
func (g *group) describe(d *Description) {
	g.mu.Lock()
	defer g.unlock()
	d.Generation = g.generation
	if len(g.members) > 0 {
		d.Strategy = g.assignor.Name()
	}
	for _, id := range slices.Sorted(maps.Keys(g.members)) {
		d.Members = append(d.Members, MemberDescription{ID: id, Assignment: slices.Clone(g.assignment[id])})
	}
}
