package group

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
)

// Coordinator runs the consumer groups of one topic registry in this
// process, over the committed offsets it keeps in the registry's directory
// (package offsets). It forgets a topic's offsets when the registry
// deletes the topic, and closes with the registry. A Coordinator is safe
// for use by many goroutines.
type Coordinator struct {
	reg     *topic.Registry
	store   *offsets.Store
	log     *slog.Logger
	metrics metrics.Collector
	// incarnations remembers which topic IDs the offsets belong to; nil
	// on a read-only registry.
	incarnations *incarnations

	mu     sync.Mutex
	groups map[string]*group
	// admin is held shared by an administrator's commit from the check
	// of its topics to its queueing, so that a topic's deletion can wait
	// for those that found the topic before it went.
	admin  sync.RWMutex
	closed atomic.Bool
	// unregister removes the coordinator's hooks from the registry.
	unregister []func()
	closeOnce  sync.Once
	closeErr   error
}

// Open opens the committed offsets in reg's directory (offsets.DirName)
// and returns the coordinator of reg's consumer groups. It forgets the
// offsets of topics that no longer exist, and of topics deleted and
// created again under the same name since their offsets were committed
// (whose topic.ID differs from the one remembered beside the offsets):
// what a topic's deletion while no coordinator was open, or a crash
// between a deletion and its offsets', leaves. reg.Close closes it.
//
// On a registry opened read-only, Open opens the committed offsets
// read-only too (offsets.Options.ReadOnly), beside the process that may be
// writing them: Describe, Groups, Committed and Offsets show the offsets
// committed when Open read them, and nothing later; members live in the
// process that runs them, so none of another process's is shown; Join,
// Commit and DeleteGroup fail with an error wrapping ErrReadOnly. Nothing
// is forgotten, and no file changes.
func Open(reg *topic.Registry, opts Options) (*Coordinator, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	store, err := offsets.Open(filepath.Join(reg.Dir(), offsets.DirName), offsets.Options{
		FS: reg.FS(), Now: reg.Now, NoSync: opts.NoSync, CompactBytes: opts.CompactBytes,
		NoLock:   true, // the registry's lock covers its directory
		ReadOnly: reg.ReadOnly(),
		Logger:   opts.Logger,
	})
	if err != nil {
		return nil, err
	}
	c := &Coordinator{reg: reg, store: store, log: opts.Logger, metrics: opts.Metrics, groups: make(map[string]*group)}
	if !reg.ReadOnly() {
		// A read-only registry deletes no topic.
		err = c.forgetLostTopics()
		if err == nil {
			var unregister func()
			if unregister, err = reg.OnDelete(c.topicDeleted); err == nil {
				c.unregister = append(c.unregister, unregister)
			}
		}
	}
	if err == nil {
		var unregister func()
		if unregister, err = reg.OnClose(c.Close); err == nil {
			c.unregister = append(c.unregister, unregister)
		}
	}
	if err != nil {
		for _, u := range c.unregister {
			u()
		}
		store.Close()
		return nil, err
	}
	return c, nil
}

// forgetLostTopics forgets the offsets of topics that are gone: deleted
// while no coordinator was open (the registry does not have them), or
// deleted and created again since (the topic of that name has another
// ID), and remembers the incarnations of the topics whose offsets stay.
func (c *Coordinator) forgetLostTopics() error {
	ctx := context.Background()
	inc, err := loadIncarnations(c.reg.FS(), c.store.Dir())
	if err != nil {
		return err
	}
	for _, name := range inc.stale(c.reg) {
		c.log.Warn("offsets of an earlier topic of the same name forgotten", "topic", name)
		if err := c.store.DeleteTopic(ctx, name); err != nil {
			return err
		}
	}
	err = c.store.KeepTopics(ctx, func(name string) bool {
		_, err := c.reg.Topic(name)
		return !errors.Is(err, topic.ErrUnknownTopic)
	})
	if err != nil {
		return err
	}
	if err := inc.reset(c.reg, c.topicsWithOffsets()); err != nil {
		return err
	}
	c.incarnations = inc
	return nil
}

// topicsWithOffsets names the topics of which some group has committed
// offsets.
func (c *Coordinator) topicsWithOffsets() []string {
	var names []string
	for _, g := range c.store.Groups() {
		for tp := range c.store.Group(g) {
			names = append(names, tp.Topic)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// refuseReadOnly returns the error of op, a change, on a coordinator of a
// read-only registry, and nil on any other.
func (c *Coordinator) refuseReadOnly(op string) error {
	if !c.store.ReadOnly() {
		return nil
	}
	return fmt.Errorf("group: cannot %s: registry %s is open read-only: %w", op, c.reg.Dir(), ErrReadOnly)
}

// Offsets is the store of the groups' committed offsets, for reading them
// (and for consumer.Committed positions).
func (c *Coordinator) Offsets() *offsets.Store { return c.store }

// Committed returns group's committed offset in one partition, and false
// if the group has committed none there: so a Coordinator is a
// consumer.OffsetSource.
func (c *Coordinator) Committed(group, topic string, partition int32) (offsets.Committed, bool) {
	return c.store.Committed(group, topic, partition)
}

// Commit records, for consumer group group, the offset of the next record
// to read in each partition named, with its metadata, and returns once
// the commit is stored (see offsets.Store.Commit). Every partition must
// exist in the registry, or the call commits nothing. It is an
// administrator's commit, not a member's: it is not checked against the
// group's members and may replace what one committed. Members commit with
// Member.Commit and Member.CommitOffsets.
//
// ctx bounds the wait. If it has ended when Commit is called, nothing is
// committed; if it ends while the commit waits for its write, Commit
// returns ctx.Err() and the commit may still become durable. On a
// read-only registry Commit fails with an error wrapping ErrReadOnly.
func (c *Coordinator) Commit(ctx context.Context, group string, commits ...offsets.Commit) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if err := c.refuseReadOnly("commit offsets"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.admin.RLock()
	err := c.checkTopics(commits)
	if err == nil {
		err = offsets.Check(group, commits...)
	}
	if err == nil {
		err = c.incarnations.record(c.reg, commits)
	}
	var round *offsets.Pending
	if err == nil {
		round, err = c.store.Queue(group, commits...)
	}
	c.admin.RUnlock()
	if err != nil || round == nil {
		return err
	}
	return round.Wait(ctx)
}

// checkTopics checks that every commit names a partition of a topic of
// the registry.
func (c *Coordinator) checkTopics(commits []offsets.Commit) error {
	for _, cm := range commits {
		t, err := c.reg.Topic(cm.Topic)
		if err != nil {
			return err
		}
		if _, err := t.Partition(cm.Partition); err != nil {
			return err
		}
	}
	return nil
}

// topicDeleted is the registry's OnDelete hook. The topic is gone from
// the registry already, so no commit that checks it from now on passes.
// It waits for the administrators' commits that checked it before, takes
// its partitions from the groups' members, which refuses their later
// commits, and then deletes the topic's offsets: commits queued before
// the deletion are deleted with the rest.
func (c *Coordinator) topicDeleted(name string) error {
	c.admin.Lock() // a barrier: the commits in flight have queued
	c.admin.Unlock()
	for _, g := range c.groupList() {
		g.topicDeleted(name)
	}
	return c.store.DeleteTopic(context.Background(), name)
}

// groupList returns the groups that have had members in this process.
func (c *Coordinator) groupList() []*group {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Collect(maps.Values(c.groups))
}

// Groups returns the consumer groups that have committed offsets or
// members in this process, sorted. On a read-only registry, those that
// had committed offsets when Open read them.
func (c *Coordinator) Groups() []string {
	names := c.store.Groups()
	for _, g := range c.groupList() {
		if g.memberCount() > 0 {
			names = append(names, g.name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// DeleteGroup forgets every offset group has committed. Members of the
// group in this process go on; they start from their fallback position in
// the partitions they take next.
//
// ctx bounds the wait. If it has ended when DeleteGroup is called,
// nothing is deleted; if it ends while the deletion waits for its write,
// DeleteGroup returns ctx.Err() and the deletion may still become
// durable. On a read-only registry DeleteGroup fails with an error
// wrapping ErrReadOnly.
func (c *Coordinator) DeleteGroup(ctx context.Context, group string) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if err := c.refuseReadOnly("delete group " + strconv.Quote(group)); err != nil {
		return err
	}
	return c.store.DeleteGroup(ctx, group)
}

// Close closes the committed offsets; members' later commits fail with
// ErrClosed, and so do their polls, those waiting included. It runs as
// the registry closes, and may be called before. Close is idempotent.
func (c *Coordinator) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		for _, u := range c.unregister {
			u()
		}
		c.closeErr = c.store.Close()
		for _, g := range c.groupList() {
			g.changes.Broadcast()
		}
	})
	return c.closeErr
}
