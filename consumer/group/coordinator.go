package group

import (
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
)

// Options configure a Coordinator. The zero value of every field means
// its default; Open copies them.
type Options struct {
	// NoSync makes offset commits return once written, without an fsync:
	// many times faster, but a crash of the machine may lose the latest
	// commits, and consumers then read some records again. Default false:
	// a commit that returned survives any crash.
	NoSync bool
	// CompactBytes is the size past which the committed offsets' log is
	// compacted (offsets.Options.CompactBytes). Default 32 MiB.
	CompactBytes int64
}

// Coordinator runs the consumer groups of one topic registry in this
// process, over the committed offsets it keeps in the registry's directory
// (package offsets). It forgets a topic's offsets when the registry
// deletes the topic, and closes with the registry. A Coordinator is safe
// for use by many goroutines.
type Coordinator struct {
	reg   *topic.Registry
	store *offsets.Store

	mu     sync.Mutex
	groups map[string]*group
	closed atomic.Bool
	// unregister removes the coordinator's hooks from the registry.
	unregister []func()
	closeOnce  sync.Once
	closeErr   error
}

// Open opens the committed offsets in reg's directory (offsets.DirName)
// and returns the coordinator of reg's consumer groups. It forgets the
// offsets of topics that no longer exist: what a crash between a topic's
// deletion and its offsets' leaves. reg.Close closes it.
func Open(reg *topic.Registry, opts Options) (*Coordinator, error) {
	store, err := offsets.Open(filepath.Join(reg.Dir(), offsets.DirName), offsets.Options{
		FS: reg.FS(), Now: reg.Now, NoSync: opts.NoSync, CompactBytes: opts.CompactBytes,
		NoLock: true, // the registry's lock covers its directory
	})
	if err != nil {
		return nil, err
	}
	c := &Coordinator{reg: reg, store: store, groups: make(map[string]*group)}
	err = store.KeepTopics(func(name string) bool {
		_, err := reg.Topic(name)
		return !errors.Is(err, topic.ErrUnknownTopic)
	})
	if err == nil {
		var unregister func()
		if unregister, err = reg.OnDelete(store.DeleteTopic); err == nil {
			c.unregister = append(c.unregister, unregister)
			if unregister, err = reg.OnClose(c.Close); err == nil {
				c.unregister = append(c.unregister, unregister)
			}
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
func (c *Coordinator) Commit(group string, commits ...offsets.Commit) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if err := c.checkTopics(commits); err != nil {
		return err
	}
	return c.store.Commit(group, commits...)
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

// Groups returns the consumer groups that have committed offsets, sorted.
func (c *Coordinator) Groups() []string { return c.store.Groups() }

// DeleteGroup forgets every offset group has committed. Members of the
// group in this process go on; they start from their fallback position in
// the partitions they take next.
func (c *Coordinator) DeleteGroup(group string) error {
	if c.closed.Load() {
		return ErrClosed
	}
	return c.store.DeleteGroup(group)
}

// Close closes the committed offsets; members' later commits fail with
// ErrClosed. It runs as the registry closes, and may be called before.
// Close is idempotent.
func (c *Coordinator) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		for _, u := range c.unregister {
			u()
		}
		c.closeErr = c.store.Close()
	})
	return c.closeErr
}
