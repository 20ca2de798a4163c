package group

import (
	"context"

	"github.com/commitlog-go/commitlog/offsets"
)

// Positions returns, for each partition the member reads, the offset
// after the last record Poll returned from it: what Commit would commit.
// A caller that commits only what it has handled keeps its own positions
// and commits them with CommitOffsets.
func (m *Member) Positions() map[TopicPartition]int64 {
	out := make(map[TopicPartition]int64, len(m.cursors))
	for tp, cur := range m.cursors {
		out[tp] = cur.r.Offset()
	}
	return out
}

// Commit commits, for each partition the member reads, the offset after
// the last record Poll returned from it. Partitions whose position has not
// moved since the last commit are left out.
//
// A member commits only while it is in the group and holds the
// partitions. Once its session has lapsed (it stayed away from Poll for
// longer than SessionTimeout), or a rebalance took a partition from it
// while it was away from Poll for longer than RebalanceTimeout, the group
// may have given its partitions to another member: Commit then commits
// nothing and returns an error wrapping ErrRebalanced, and the member's
// next Poll brings it up to date (joining the group again if it had been
// expired). The check and the commit are one step against the group's
// state, so a stale commit never replaces one of the member that took a
// partition over. After Close, Commit returns ErrClosed.
//
// ctx bounds the wait for the commit's write. If it has ended when Commit
// is called, nothing is committed; if it ends while Commit waits, Commit
// returns ctx.Err() and the commit may still become durable.
func (m *Member) Commit(ctx context.Context) error {
	if m.closed.Load() {
		return ErrClosed
	}
	_, err := m.commit(ctx, m.order, commitAll)
	return err
}

// CommitOffsets commits offsets the caller chose, with their metadata,
// for the group: for a caller that commits only what it has handled. Each
// must be in a partition the member reads; as with Commit, nothing is
// committed and the error wraps ErrRebalanced when the member no longer
// holds one of them, and ctx bounds the wait in the same way.
func (m *Member) CommitOffsets(ctx context.Context, commits ...offsets.Commit) error {
	if m.closed.Load() {
		return ErrClosed
	}
	if err := m.c.checkTopics(commits); err != nil {
		return err
	}
	_, err := m.commitOffsets(ctx, commits, commitAll)
	return err
}

// commitMode says what the member's commit does with partitions it no
// longer holds, and with an ended context.
type commitMode uint8

const (
	// commitAll refuses the commit whole unless the member holds every
	// partition named, and commits nothing under an ended context.
	commitAll commitMode = iota
	// commitHeld commits the partitions the member still holds.
	commitHeld
	// commitHandover is commitHeld under any context: the partitions are
	// given up next, and their next holder starts from what is queued
	// now. The context bounds only the wait for the write.
	commitHandover
)

// commit commits the positions of tps that moved since the last commit,
// and returns what it committed (or queued, when the wait for the write
// ends with an error).
func (m *Member) commit(ctx context.Context, tps []TopicPartition, mode commitMode) ([]offsets.Commit, error) {
	m.lastCommit = m.c.reg.Now()
	var commits []offsets.Commit
	for _, tp := range tps {
		cur := m.cursors[tp]
		if cur == nil {
			continue
		}
		pos := cur.r.Offset()
		if last, ok := m.committed[tp]; ok && last == pos {
			continue
		}
		commits = append(commits, offsets.Commit{Topic: tp.Topic, Partition: tp.Partition, Offset: pos})
	}
	return m.commitOffsets(ctx, commits, mode)
}

// commitOffsets commits for the group as mode says, and returns what it
// committed (or queued, when the wait for the write ends with an error).
// It checks the member's place in the group even when there is nothing to
// commit.
func (m *Member) commitOffsets(ctx context.Context, commits []offsets.Commit, mode commitMode) ([]offsets.Commit, error) {
	if err := ctx.Err(); err != nil && mode != commitHandover {
		return nil, err
	}
	if err := offsets.Check(m.g.name, commits...); err != nil {
		return nil, err
	}
	if err := m.c.incarnations.record(m.c.reg, commits); err != nil {
		return nil, err
	}
	round, kept, err := m.g.commit(m, commits, mode != commitAll)
	if err != nil {
		return nil, err
	}
	if round != nil {
		if err := round.Wait(ctx); err != nil {
			return kept, err
		}
	}
	for _, c := range kept {
		m.committed[TopicPartition{Topic: c.Topic, Partition: c.Partition}] = c.Offset
	}
	return kept, nil
}
