package topic

import (
	"fmt"
	"maps"
	"slices"
)

// CommitOffsets records, for consumer group group, the offset of the next
// record to read in each partition named, with its metadata, and returns
// once the commit is stored: on stable storage unless the registry's
// options say CommitWithoutSync. Commits from many goroutines share writes
// and fsyncs. The commits of one call are applied together; a later
// commit for the same partition replaces an earlier one.
//
// CommitOffsets is not a group member's commit: it is not checked against
// the group's members, and may replace what one committed. Members commit
// with Member.Commit and Member.CommitOffsets.
func (r *Registry) CommitOffsets(group string, commits ...OffsetCommit) error {
	changes, err := r.offsetChanges(group, commits)
	if err != nil {
		return err
	}
	return r.offsets.commit(changes)
}

// offsetChanges checks commits for group and turns them into changes of
// the offset store.
func (r *Registry) offsetChanges(group string, commits []OffsetCommit) ([]offsetChange, error) {
	if r.closed.Load() {
		return nil, ErrClosed
	}
	if group == "" || len(group) > maxShortString {
		return nil, fmt.Errorf("%w: %q", ErrInvalidGroup, group)
	}
	now := r.opts.Now()
	changes := make([]offsetChange, 0, len(commits))
	for _, c := range commits {
		t, err := r.Topic(c.Topic)
		if err != nil {
			return nil, err
		}
		if c.Partition < 0 || int(c.Partition) >= t.NumPartitions() {
			return nil, fmt.Errorf("%w: %s has no partition %d", ErrUnknownPartition, c.Topic, c.Partition)
		}
		if c.Offset < 0 {
			return nil, fmt.Errorf("%w: %d for %s-%d", ErrInvalidOffset, c.Offset, c.Topic, c.Partition)
		}
		if len(c.Metadata) > MaxOffsetMetadata {
			return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrOffsetMetadataTooLarge, len(c.Metadata), MaxOffsetMetadata)
		}
		changes = append(changes, offsetChange{
			key:   offsetKey{group: group, topic: c.Topic, partition: c.Partition},
			value: &CommittedOffset{Offset: c.Offset, Metadata: c.Metadata, Time: now.Truncate(1e6)},
		})
	}
	return changes, nil
}

// CommittedOffset returns group's committed offset in one partition, and
// false if the group has committed none there.
func (r *Registry) CommittedOffset(group, topic string, partition int32) (CommittedOffset, bool) {
	return r.offsets.get(offsetKey{group: group, topic: topic, partition: partition})
}

// CommittedOffsets returns every offset group has committed.
func (r *Registry) CommittedOffsets(group string) map[TopicPartition]CommittedOffset {
	out := make(map[TopicPartition]CommittedOffset)
	for k, v := range r.offsets.snapshot(func(k offsetKey) bool { return k.group == group }) {
		out[TopicPartition{Topic: k.topic, Partition: k.partition}] = v
	}
	return out
}

// Groups returns the consumer groups that have committed offsets, sorted.
func (r *Registry) Groups() []string {
	groups := make(map[string]bool)
	for k := range r.offsets.snapshot(func(offsetKey) bool { return true }) {
		groups[k.group] = true
	}
	return slices.Sorted(maps.Keys(groups))
}

// DeleteGroupOffsets forgets every offset group has committed.
func (r *Registry) DeleteGroupOffsets(group string) error {
	if r.closed.Load() {
		return ErrClosed
	}
	return r.offsets.remove(func(k offsetKey) bool { return k.group == group })
}
