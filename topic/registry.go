package topic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/internal/notify"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/vfs"
)

// lockFileName is the registry's lock in its directory.
const lockFileName = ".lock"

// Registry is a directory of topics. It creates, opens, describes,
// reconfigures and deletes them, and owns their partitions: closing the
// registry closes them. A Registry is safe for use by many goroutines; its
// administrative operations (Create, CreateIfNotExists, AddPartitions,
// AlterConfig, Delete, Close) run one at a time.
//
// What is built on a registry (producers, committed offsets, consumer
// groups) hears of its changes through hooks (OnDelete, OnClose), so that
// this package imports none of them.
type Registry struct {
	root   string
	opts   Options
	lock   io.Closer // nil when read-only
	logger *slog.Logger

	// admin holds a token while an administrative operation runs: a
	// channel rather than a mutex, so that waiting for it ends with the
	// caller's context.
	admin chan struct{}
	hooks hooks
	// topics is immutable, replaced on every change, so that producers
	// and readers look topics up without a lock.
	topics atomic.Pointer[topicIndex]
	// changes is woken when a topic is created or deleted, grows or is
	// reconfigured, and when the registry closes.
	changes notify.Notifier
	closed  atomic.Bool
}

// topicIndex is the registry's topics by name and by ID. It is never
// changed once published: publish replaces it.
type topicIndex struct {
	byName map[string]*Topic
	// byID leaves out topics with the zero ID.
	byID map[ID]*Topic
}

// newTopicIndex indexes the topics of byName, which it keeps.
func newTopicIndex(byName map[string]*Topic) *topicIndex {
	byID := make(map[ID]*Topic, len(byName))
	for _, t := range byName {
		if !t.id.IsZero() {
			byID[t.id] = t
		}
	}
	return &topicIndex{byName: byName, byID: byID}
}

// closedChan is the channel Changed returns once the registry is closed.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// Open opens the registry in root, creating the directory if there is
// none, and opens every topic in it. It takes an advisory lock on the
// directory: a second Open, in this process or another, fails with an
// error wrapping ErrLocked until the first Registry is closed.
//
// Open finishes what a crash interrupted: a topic whose creation did not
// complete is removed, as is one whose deletion began, and so are the
// partitions an interrupted AddPartitions left behind. (What was built on
// the registry, committed offsets say, forgets such a topic when it opens
// again on the registry.)
//
// Open also gives an ID (see ID) to each topic whose metadata was written
// before topics had IDs, rewriting its metadata file crash-safely.
//
// With Options.ReadOnly, Open takes no lock and changes nothing: the
// directory must exist, a topic whose creation or deletion was
// interrupted is left out, leftover partitions are ignored, and a topic
// without an ID keeps the zero ID.
func Open(root string, opts Options) (*Registry, error) {
	opts = opts.withDefaults()
	r := &Registry{root: root, opts: opts, logger: opts.Logger, admin: make(chan struct{}, 1)}
	if opts.ReadOnly {
		if _, err := opts.FS.Stat(root); err != nil {
			return nil, fmt.Errorf("topic: opening registry %s: %w", root, err)
		}
	} else {
		if err := vfs.MkdirAllSynced(opts.FS, root); err != nil {
			return nil, fmt.Errorf("topic: creating registry %s: %w", root, err)
		}
		lock, err := opts.FS.Lock(filepath.Join(root, lockFileName))
		if errors.Is(err, ErrLocked) {
			r.logger.Warn("registry open refused", "dir", root, "err", err)
			return nil, fmt.Errorf("topic: registry %s is open elsewhere: %w", root, err)
		}
		if err != nil {
			return nil, fmt.Errorf("topic: locking registry %s: %w", root, err)
		}
		r.lock = lock
	}
	topics, err := r.load()
	if err != nil {
		for _, t := range topics {
			t.close()
		}
		if r.lock != nil {
			r.lock.Close()
		}
		return nil, err
	}
	r.topics.Store(newTopicIndex(topics))
	return r, nil
}

// load reads every topic's metadata, finishes interrupted operations and
// opens the ready topics. A read-only registry finishes nothing: it
// leaves out what is not ready.
func (r *Registry) load() (map[string]*Topic, error) {
	fsys := r.opts.FS
	names, err := fsys.List(r.root)
	if err != nil {
		return nil, fmt.Errorf("topic: listing %s: %w", r.root, err)
	}
	if !r.opts.ReadOnly {
		for _, n := range names {
			// Temporary files of metadata writes a crash interrupted.
			if strings.HasSuffix(n, metadataExt+".tmp") {
				if err := fsys.Remove(filepath.Join(r.root, n)); err != nil {
					return nil, fmt.Errorf("topic: removing %s: %w", filepath.Join(r.root, n), err)
				}
				r.logger.Debug("temporary metadata file removed", "file", filepath.Join(r.root, n))
			}
		}
	}
	topics := make(map[string]*Topic)
	ids := make(map[ID]string)
	for _, name := range topicNames(names) {
		m, cfg, err := readMetadata(fsys, r.root, name)
		if err != nil {
			return topics, err
		}
		if m.State != stateReady {
			if r.opts.ReadOnly {
				r.logger.Info("interrupted topic left out", "topic", name, "state", m.State)
				continue
			}
			// Creation rolls back and deletion goes on: either way
			// the topic goes.
			if err := r.removeTopicFiles(name, names); err != nil {
				return topics, err
			}
			msg := "interrupted topic creation rolled back"
			if m.State == stateDeleting {
				msg = "interrupted topic deletion finished"
			}
			r.logger.Info(msg, "topic", name)
			continue
		}
		if !r.opts.ReadOnly {
			var extra []int
			for _, idx := range partitionIndexes(name, names) {
				if int32(idx) >= m.Partitions {
					extra = append(extra, idx)
				}
			}
			if len(extra) > 0 {
				if err := r.removeDirs(name, extra); err != nil {
					return topics, err
				}
				r.logger.Info("interrupted partition addition rolled back", "topic", name,
					"partitions", m.Partitions, "removed", len(extra))
			}
		}
		for i := range m.Partitions {
			if _, err := fsys.Stat(partitionDir(r.root, name, int(i))); err != nil {
				return topics, fmt.Errorf("topic: %q has no directory for partition %d: %w", name, i, err)
			}
		}
		if m.ID.IsZero() && !r.opts.ReadOnly {
			if err := r.assignID(&m, ids); err != nil {
				return topics, err
			}
		}
		if !m.ID.IsZero() {
			if other, dup := ids[m.ID]; dup {
				return topics, &MetadataError{Path: metadataPath(r.root, name),
					Err: fmt.Errorf("topic ID %s is also that of %q", m.ID, other)}
			}
			ids[m.ID] = name
		}
		t := newTopic(r, name, m.ID, cfg)
		if err := t.openPartitions(context.Background(), 0, int(m.Partitions)); err != nil {
			t.close()
			return topics, err
		}
		topics[name] = t
	}
	return topics, nil
}

// assignID gives a ready topic whose metadata m predates IDs a new ID,
// none of those in use, and rewrites its metadata file as the current
// version. The file keeps every other setting as it was read.
func (r *Registry) assignID(m *metadata, inUse map[ID]string) error {
	id := newID()
	for inUse[id] != "" {
		id = newID()
	}
	upgraded := *m
	upgraded.Version, upgraded.ID = metadataVersion, id
	if err := writeMetadata(r.opts.FS, r.root, upgraded); err != nil {
		return err
	}
	*m = upgraded
	r.logger.Info("topic id assigned", "topic", m.Name, "topic_id", id.String())
	return nil
}

// partitionIndexes returns the indexes of the directories in names that
// belong to topic name.
func partitionIndexes(name string, names []string) []int {
	var idx []int
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, name+"-")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(rest)
		if err == nil && i >= 0 && strconv.Itoa(i) == rest {
			idx = append(idx, i)
		}
	}
	return idx
}

// removeTopicFiles removes a topic's partition directories and then its
// metadata file, syncing the registry directory after each step, so that
// a crash in between leaves the metadata to finish the job on Open.
func (r *Registry) removeTopicFiles(name string, names []string) error {
	if err := r.removeDirs(name, partitionIndexes(name, names)); err != nil {
		return err
	}
	if err := r.opts.FS.Remove(metadataPath(r.root, name)); err != nil && !isNotExist(err) {
		return fmt.Errorf("topic: removing %q: %w", name, err)
	}
	if err := r.opts.FS.SyncDir(r.root); err != nil {
		return fmt.Errorf("topic: removing %q: %w", name, err)
	}
	return nil
}

// removeDirs removes partition directories of topic name and syncs the
// registry directory.
func (r *Registry) removeDirs(name string, indexes []int) error {
	if len(indexes) == 0 {
		return nil
	}
	for _, i := range indexes {
		if err := r.opts.FS.RemoveAll(partitionDir(r.root, name, i)); err != nil {
			return fmt.Errorf("topic: removing partition %d of %q: %w", i, name, err)
		}
	}
	if err := r.opts.FS.SyncDir(r.root); err != nil {
		return fmt.Errorf("topic: removing partitions of %q: %w", name, err)
	}
	return nil
}

// Dir is the registry's directory.
func (r *Registry) Dir() string { return r.root }

// FS is the registry's filesystem.
func (r *Registry) FS() vfs.FS { return r.opts.FS }

// Now is the registry's clock (Options.Now).
func (r *Registry) Now() time.Time { return r.opts.Now() }

// ReadOnly reports whether the registry was opened with Options.ReadOnly.
func (r *Registry) ReadOnly() bool { return r.opts.ReadOnly }

// Closed reports whether Close has begun.
func (r *Registry) Closed() bool { return r.closed.Load() }

// Changed returns a channel that is closed at the next change of the
// registry's topics: a topic created or deleted, partitions added to one,
// a configuration altered, or the registry's Close. Take the channel
// before looking at the topics, so that a change in between is not
// missed; waiting for the topic a consumer subscribed to goes
//
//	for {
//		changed := reg.Changed()
//		t, err := reg.Topic(name)
//		if !errors.Is(err, topic.ErrUnknownTopic) {
//			return t, err // the topic, or ErrClosed
//		}
//		select {
//		case <-changed:
//		case <-ctx.Done():
//			return nil, ctx.Err()
//		}
//	}
//
// Once Close has begun, the channel returned is closed already: a waiter
// checks Closed, or gets ErrClosed from a lookup, as above. A read-only
// registry does not follow the directory (see Options.ReadOnly), so its
// channel closes only with Close.
func (r *Registry) Changed() <-chan struct{} {
	ch := r.changes.Wait()
	if r.closed.Load() {
		// Close sets closed before it broadcasts: a channel taken after
		// the broadcast would never close.
		return closedChan
	}
	return ch
}

// errClosed is the error of an operation on the closed registry.
func (r *Registry) errClosed() error {
	return errorf(ErrClosed, "topic: registry %s is closed", r.root)
}

// Topic returns the open topic called name, or an error wrapping
// ErrUnknownTopic.
func (r *Registry) Topic(name string) (*Topic, error) {
	if r.closed.Load() {
		return nil, r.errClosed()
	}
	if t := r.topics.Load().byName[name]; t != nil {
		return t, nil
	}
	return nil, unknownTopic(name)
}

// TopicByID returns the open topic whose ID is id, or an error wrapping
// ErrUnknownTopic: no topic has that ID (the topic it was given to may
// have been deleted, and another created under the same name), or id is
// zero.
func (r *Registry) TopicByID(id ID) (*Topic, error) {
	if r.closed.Load() {
		return nil, r.errClosed()
	}
	if t := r.topics.Load().byID[id]; t != nil && !id.IsZero() {
		return t, nil
	}
	return nil, errorf(ErrUnknownTopic, "topic: no topic has ID %s", id)
}

// Topics returns the registry's topics, sorted by name.
func (r *Registry) Topics() []*Topic {
	topics := r.topics.Load().byName
	out := make([]*Topic, 0, len(topics))
	for _, name := range slices.Sorted(maps.Keys(topics)) {
		out = append(out, topics[name])
	}
	return out
}

// Describe describes the topic called name (see Topic.Describe).
func (r *Registry) Describe(name string) (Description, error) {
	t, err := r.Topic(name)
	if err != nil {
		return Description{}, err
	}
	return t.Describe(), nil
}

// Close closes the registry: it wakes the waiters on Changed, the hooks
// registered with OnClose run, newest first (so producers deliver what
// they hold and committed offsets are closed), then every topic's
// partitions close, and the directory lock is released. Close waits for
// an administrative operation in progress to end. Close is idempotent.
func (r *Registry) Close() error {
	r.admin <- struct{}{}
	if r.closed.Swap(true) {
		<-r.admin
		return nil
	}
	<-r.admin
	// Before the hooks: what they close may be waiting on Changed.
	r.changes.Broadcast()

	errs := r.hooks.closing()
	r.admin <- struct{}{}
	defer func() { <-r.admin }()
	for _, t := range r.topics.Load().byName {
		errs = append(errs, t.close())
	}
	if r.lock != nil {
		errs = append(errs, r.lock.Close())
	}
	return errors.Join(errs...)
}

// partitionOptions are the options of partition index of a topic.
func (r *Registry) partitionOptions(t *Topic, index int) partition.Options {
	cfg := t.Config()
	lo := cfg.logOptions()
	lo.FS = r.opts.FS
	lo.Now = r.opts.Now
	lo.RetentionCheckInterval = r.opts.RetentionCheckInterval
	// The registry's lock on its root covers every partition under it;
	// a read-only registry takes none, and its logs change nothing.
	lo.NoLock = true
	lo.ReadOnly = r.opts.ReadOnly
	lo.Logger = r.logger.With("topic", t.name, "partition", int32(index))
	lo.Metrics = metrics.With(r.opts.Metrics, metrics.Labels{Topic: t.name, Partition: int32(index)})
	return partition.Options{
		Topic:     t.name,
		Index:     int32(index),
		Log:       lo,
		Durable:   cfg.Flush == log.FlushAlways,
		OnAdvance: t.changes.Broadcast,
	}
}
