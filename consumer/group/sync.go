package group

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
)

// sync brings the member up to the group's state, on the member's
// goroutine inside Poll: it drops the partitions it lost, gives up those
// moved away (commit, OnRevoked, release) and starts reading those it was
// given (OnAssigned). A member the group expired joins it again.
func (m *Member) sync(ctx context.Context) error {
	g := m.g
	now := m.c.reg.Now()
	g.mu.Lock()
	g.expireLocked(now)
	if g.members[m.id] != m {
		// The group expired this member: what it read since its last
		// commit may be read again by others. Join again, afresh.
		g.unlock()
		if lost := slices.Clone(m.order); len(lost) > 0 {
			m.drop(lost)
			m.lose(ctx, lost)
		}
		clear(m.committed)
		m.synced = 0
		return g.join(m)
	}
	if g.topicsChangedLocked() {
		g.rebalanceLocked(now)
	}
	if g.moving > 0 {
		g.settleLocked(now)
	}
	if m.synced == g.version {
		g.unlock()
		return nil
	}
	// Partitions moved away that the member holds but does not read (it
	// failed to start reading them): nothing to give up, so they go now.
	freed := false
	for tp, h := range g.holder {
		if h.member == m.id && g.owner[tp] != m.id {
			if cur := m.cursors[tp]; cur == nil || cur.hold != h.hold {
				delete(g.holder, tp)
				freed = true
			}
		}
	}
	if freed {
		g.settleLocked(now)
		g.changedLocked()
	}
	version := g.version
	var lost, revoked []TopicPartition
	for tp, cur := range m.cursors {
		switch {
		case g.holder[tp].hold != cur.hold:
			lost = append(lost, tp)
		case g.owner[tp] != m.id:
			revoked = append(revoked, tp)
		}
	}
	assigned := map[TopicPartition]hold{}
	for _, tp := range g.assignment[m.id] {
		h := g.holder[tp].hold
		if cur := m.cursors[tp]; h.member == m.id && (cur == nil || cur.hold != h) {
			assigned[tp] = h
		}
	}
	g.unlock()

	if len(lost) > 0 {
		slices.SortFunc(lost, compareTopicPartitions)
		m.drop(lost)
		m.lose(ctx, lost)
	}
	var err error
	if len(revoked) > 0 {
		slices.SortFunc(revoked, compareTopicPartitions)
		err = m.revoke(ctx, revoked)
	}
	if len(assigned) > 0 {
		err = errors.Join(err, m.assign(ctx, assigned))
	}
	if err == nil {
		m.synced = version
	}
	return err
}

// revoke gives up partitions the member still holds: with automatic
// commits it commits their positions, then calls OnRevoked, stops reading
// them and hands them to their new owners. The commit is queued even when
// ctx has ended, and before the partitions are freed, so their next
// holder starts after it; ctx bounds only the wait for its write. A
// failed commit does not stop the rest: the partitions are given up from
// their last committed offset, and the error is returned.
func (m *Member) revoke(ctx context.Context, tps []TopicPartition) error {
	var err error
	if !m.opts.ManualCommit {
		var done []offsets.Commit
		done, err = m.commit(ctx, tps, commitHandover)
		for _, c := range done {
			m.c.log.LogAttrs(ctx, slog.LevelDebug, "offsets committed on revocation", slog.String("group", m.g.name),
				slog.String("member", m.id), slog.String("topic", c.Topic), slog.Int("partition", int(c.Partition)),
				slog.Int64("offset", c.Offset))
		}
	}
	m.callback(ctx, m.opts.OnRevoked, tps)
	holds := make(map[TopicPartition]hold, len(tps))
	for _, tp := range tps {
		if cur := m.cursors[tp]; cur != nil {
			holds[tp] = cur.hold
		}
	}
	m.drop(tps)
	m.g.release(holds)
	return err
}

// assign starts reading the partitions given to the member, each from the
// group's committed offset or opts.Start where there is none, once every
// commit queued before is applied (the partition's last holder may have
// had one accepted that is not written yet), and calls OnAssigned with
// those it started. A partition whose topic has gone is left for the next
// rebalance to take away.
func (m *Member) assign(ctx context.Context, holds map[TopicPartition]hold) error {
	if err := m.c.store.Settle(ctx); err != nil {
		return err
	}
	holds = m.g.start(holds)
	start := consumer.Committed(m.c.store, m.g.name, m.opts.Start)
	var started []TopicPartition
	var err error
	for _, tp := range slices.SortedFunc(maps.Keys(holds), compareTopicPartitions) {
		var cur *cursor
		cur, err = m.open(tp, start)
		if errors.Is(err, topic.ErrUnknownTopic) || errors.Is(err, topic.ErrUnknownPartition) {
			err = nil
			continue
		}
		if err != nil {
			break
		}
		cur.hold = holds[tp]
		m.cursors[tp] = cur
		if c, ok := m.c.store.Committed(m.g.name, tp.Topic, tp.Partition); ok {
			m.committed[tp] = c.Offset
		} else {
			delete(m.committed, tp)
		}
		started = append(started, tp)
	}
	m.reorder()
	if len(started) > 0 {
		m.callback(ctx, m.opts.OnAssigned, started)
	}
	return err
}

// open makes a reader of tp from start.
func (m *Member) open(tp TopicPartition, start consumer.Position) (*cursor, error) {
	t, err := m.c.reg.Topic(tp.Topic)
	if err != nil {
		return nil, err
	}
	p, err := t.Partition(tp.Partition)
	if err != nil {
		return nil, err
	}
	r, err := consumer.NewPartitionReader(t, tp.Partition, consumer.Options{Start: start, FailOnOutOfRange: m.opts.FailOnOutOfRange})
	if err != nil {
		return nil, err
	}
	return &cursor{r: r, part: p}, nil
}

// lose calls OnLost, or OnRevoked when there is none, with partitions the
// member no longer holds.
func (m *Member) lose(ctx context.Context, tps []TopicPartition) {
	if m.opts.OnLost != nil {
		m.callback(ctx, m.opts.OnLost, tps)
		return
	}
	m.callback(ctx, m.opts.OnRevoked, tps)
}

// callback calls fn, if set, with a copy of tps; the member refuses Poll
// and Close meanwhile.
func (m *Member) callback(ctx context.Context, fn func(context.Context, []TopicPartition), tps []TopicPartition) {
	if fn == nil {
		return
	}
	m.inCallback = true
	defer func() { m.inCallback = false }()
	fn(ctx, slices.Clone(tps))
}

// drop stops reading tps, without committing.
func (m *Member) drop(tps []TopicPartition) {
	for _, tp := range tps {
		delete(m.cursors, tp)
		delete(m.committed, tp)
	}
	m.reorder()
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
