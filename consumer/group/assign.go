package group

import (
	"cmp"
	"slices"

	"github.com/commitlog-go/commitlog/offsets"
)

// TopicPartition names one partition of a topic (offsets.TopicPartition).
type TopicPartition = offsets.TopicPartition

// Assignor divides the partitions of a group's topics among its members.
// Assign gets the member ids, sorted, the partitions to divide, sorted by
// topic and index, and the assignment before this rebalance (nil at
// first), and returns each member's partitions. Every partition must go to
// exactly one member.
type Assignor interface {
	Name() string
	Assign(members []string, partitions []TopicPartition, previous map[string][]TopicPartition) map[string][]TopicPartition
}

// RangeAssignor is Kafka's range strategy: for each topic on its own, the
// members in order take consecutive ranges of partitions, the first ones
// one more when the count does not divide evenly.
type RangeAssignor struct{}

// Name returns "range".
func (RangeAssignor) Name() string { return "range" }

// Assign divides each topic's partitions into ranges.
func (RangeAssignor) Assign(members []string, partitions []TopicPartition, _ map[string][]TopicPartition) map[string][]TopicPartition {
	out := emptyAssignment(members)
	for start := 0; start < len(partitions); {
		end := start
		for end < len(partitions) && partitions[end].Topic == partitions[start].Topic {
			end++
		}
		topicParts := partitions[start:end]
		per, extra := len(topicParts)/len(members), len(topicParts)%len(members)
		next := 0
		for i, m := range members {
			n := per
			if i < extra {
				n++
			}
			out[m] = append(out[m], topicParts[next:next+n]...)
			next += n
		}
		start = end
	}
	return out
}

// RoundRobinAssignor is Kafka's round-robin strategy: all partitions, in
// order, dealt to the members in turn.
type RoundRobinAssignor struct{}

// Name returns "roundrobin".
func (RoundRobinAssignor) Name() string { return "roundrobin" }

// Assign deals the partitions to the members in turn.
func (RoundRobinAssignor) Assign(members []string, partitions []TopicPartition, _ map[string][]TopicPartition) map[string][]TopicPartition {
	out := emptyAssignment(members)
	for i, tp := range partitions {
		m := members[i%len(members)]
		out[m] = append(out[m], tp)
	}
	return out
}

// StickyAssignor is Kafka's sticky strategy: as balanced as round-robin
// (member counts differ by at most one), while moving as few partitions as
// it can from the previous assignment: a member keeps what it had, up to
// its share, and only the rest is dealt out.
type StickyAssignor struct{}

// Name returns "sticky".
func (StickyAssignor) Name() string { return "sticky" }

// Assign keeps previous owners where balance allows and deals out the
// rest to the members with the fewest partitions.
func (StickyAssignor) Assign(members []string, partitions []TopicPartition, previous map[string][]TopicPartition) map[string][]TopicPartition {
	out := emptyAssignment(members)
	// Members' shares: the first len%members get one more.
	quota := make(map[string]int, len(members))
	per, extra := len(partitions)/len(members), len(partitions)%len(members)
	// Members that held more before get the larger shares, so that fewer
	// partitions move.
	byHeld := slices.Clone(members)
	slices.SortStableFunc(byHeld, func(a, b string) int { return cmp.Compare(len(previous[b]), len(previous[a])) })
	for i, m := range byHeld {
		quota[m] = per
		if i < extra {
			quota[m]++
		}
	}
	exists := make(map[TopicPartition]bool, len(partitions))
	for _, tp := range partitions {
		exists[tp] = true
	}
	taken := make(map[TopicPartition]bool, len(partitions))
	for _, m := range members {
		for _, tp := range previous[m] {
			if exists[tp] && !taken[tp] && len(out[m]) < quota[m] {
				out[m] = append(out[m], tp)
				taken[tp] = true
			}
		}
	}
	for _, tp := range partitions {
		if taken[tp] {
			continue
		}
		// The member furthest below its share, the first in order on ties.
		best := ""
		for _, m := range members {
			if len(out[m]) < quota[m] && (best == "" || quota[m]-len(out[m]) > quota[best]-len(out[best])) {
				best = m
			}
		}
		out[best] = append(out[best], tp)
	}
	for _, m := range members {
		slices.SortFunc(out[m], compareTopicPartitions)
	}
	return out
}

func emptyAssignment(members []string) map[string][]TopicPartition {
	out := make(map[string][]TopicPartition, len(members))
	for _, m := range members {
		out[m] = nil
	}
	return out
}

func compareTopicPartitions(a, b TopicPartition) int {
	return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
}
