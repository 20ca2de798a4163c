package topic

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/vfs"
)

// Options configure a registry. The zero value of every field means its
// default; Open copies them.
type Options struct {
	// FS is the filesystem. Default vfs.Default.
	FS vfs.FS
	// Now is the clock of the partitions' logs (LogAppendTime, retention),
	// and of what is built on the registry (committed offsets' times,
	// group members' sessions). Default time.Now.
	Now func() time.Time
	// RetentionCheckInterval is how often each partition enforces
	// retention in the background. Default 5 minutes; negative: never on
	// its own.
	RetentionCheckInterval time.Duration
}

// withDefaults returns o with every zero field set to its default. No
// value of Options is out of range.
func (o Options) withDefaults() Options {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// lockFileName is the registry's lock in its directory.
const lockFileName = ".lock"

// Registry is a directory of topics. It creates, opens, describes and
// deletes them, and owns their partitions: closing the registry closes
// them. A Registry is safe for use by many goroutines; its administrative
// operations (Create, AddPartitions, Delete, Close) run one at a time.
//
// What is built on a registry (producers, committed offsets, consumer
// groups) hears of its changes through hooks (OnDelete, OnClose), so that
// this package imports none of them.
type Registry struct {
	root string
	opts Options
	lock io.Closer

	// mu serialises administrative operations.
	mu    sync.Mutex
	hooks hooks
	// topics is an immutable map, replaced on every change, so that
	// producers and readers look topics up without a lock.
	topics atomic.Pointer[map[string]*Topic]
	closed atomic.Bool
}

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
func Open(root string, opts Options) (*Registry, error) {
	opts = opts.withDefaults()
	if err := vfs.MkdirAllSynced(opts.FS, root); err != nil {
		return nil, fmt.Errorf("topic: %w", err)
	}
	lock, err := opts.FS.Lock(filepath.Join(root, lockFileName))
	if err != nil {
		return nil, fmt.Errorf("topic: registry %s is open elsewhere: %w", root, err)
	}
	r := &Registry{root: root, opts: opts, lock: lock}
	topics, err := r.load()
	if err != nil {
		for _, t := range topics {
			t.close()
		}
		lock.Close()
		return nil, err
	}
	r.topics.Store(&topics)
	return r, nil
}

// load reads every topic's metadata, finishes interrupted operations and
// opens the ready topics.
func (r *Registry) load() (map[string]*Topic, error) {
	fsys := r.opts.FS
	names, err := fsys.List(r.root)
	if err != nil {
		return nil, fmt.Errorf("topic: listing %s: %w", r.root, err)
	}
	for _, n := range names {
		// Temporary files of metadata writes a crash interrupted.
		if strings.HasSuffix(n, metadataExt+".tmp") {
			if err := fsys.Remove(filepath.Join(r.root, n)); err != nil {
				return nil, fmt.Errorf("topic: %w", err)
			}
		}
	}
	topics := make(map[string]*Topic)
	for _, name := range topicNames(names) {
		m, cfg, err := readMetadata(fsys, r.root, name)
		if err != nil {
			return topics, err
		}
		if m.State != stateReady {
			// Creation rolls back and deletion goes on: either way
			// the topic goes.
			if err := r.removeTopicFiles(name, names); err != nil {
				return topics, err
			}
			continue
		}
		for _, idx := range partitionIndexes(name, names) {
			if int32(idx) >= m.Partitions {
				if err := r.removeDirs(name, []int{idx}); err != nil {
					return topics, err
				}
			}
		}
		for i := range m.Partitions {
			if _, err := fsys.Stat(partitionDir(r.root, name, int(i))); err != nil {
				return topics, fmt.Errorf("topic: %s: directory of partition %d: %w", name, i, err)
			}
		}
		t := newTopic(r, name, cfg)
		if err := t.openPartitions(0, int(m.Partitions)); err != nil {
			t.close()
			return topics, err
		}
		topics[name] = t
	}
	return topics, nil
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
		return fmt.Errorf("topic: removing %s: %w", name, err)
	}
	if err := r.opts.FS.SyncDir(r.root); err != nil {
		return fmt.Errorf("topic: removing %s: %w", name, err)
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
			return fmt.Errorf("topic: removing partition %d of %s: %w", i, name, err)
		}
	}
	if err := r.opts.FS.SyncDir(r.root); err != nil {
		return fmt.Errorf("topic: removing partitions of %s: %w", name, err)
	}
	return nil
}

// Dir is the registry's directory.
func (r *Registry) Dir() string { return r.root }

// FS is the registry's filesystem.
func (r *Registry) FS() vfs.FS { return r.opts.FS }

// Now is the registry's clock (Options.Now).
func (r *Registry) Now() time.Time { return r.opts.Now() }

// Closed reports whether Close has begun.
func (r *Registry) Closed() bool { return r.closed.Load() }

// Topic returns the open topic called name, or an error wrapping
// ErrUnknownTopic.
func (r *Registry) Topic(name string) (*Topic, error) {
	if r.closed.Load() {
		return nil, ErrClosed
	}
	if t := (*r.topics.Load())[name]; t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownTopic, name)
}

// Topics returns the registry's topics, sorted by name.
func (r *Registry) Topics() []*Topic {
	topics := *r.topics.Load()
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

// Create creates a topic called name with cfg and opens it. The name must
// pass ValidateName and must not exist; cfg's zero fields take their
// defaults. Creation is crash-safe: after a crash the topic either exists
// whole or not at all.
func (r *Registry) Create(name string, cfg Config) (*Topic, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return nil, ErrClosed
	}
	if (*r.topics.Load())[name] != nil {
		return nil, fmt.Errorf("%w: %q", ErrTopicExists, name)
	}
	fsys := r.opts.FS
	names, err := fsys.List(r.root)
	if err != nil {
		return nil, fmt.Errorf("topic: listing %s: %w", r.root, err)
	}
	if dirs := partitionIndexes(name, names); len(dirs) > 0 {
		// Directories no topic owns: refuse to adopt or delete them.
		return nil, fmt.Errorf("%w: %q: %s holds partition directories of no known topic (%s)",
			ErrTopicExists, name, r.root, partitionDir(r.root, name, dirs[0]))
	}

	if err := writeMetadata(fsys, r.root, newMetadata(name, stateCreating, cfg)); err != nil {
		return nil, err
	}
	t := newTopic(r, name, cfg)
	err = t.openPartitions(0, int(cfg.Partitions))
	if err == nil {
		err = writeMetadata(fsys, r.root, newMetadata(name, stateReady, cfg))
	}
	if err != nil {
		t.close()
		// Roll back: mark the topic as being created again first, since
		// a failed write of "ready" may have replaced the file anyway;
		// then remove it. If any of this fails, Open finishes the job.
		if writeMetadata(fsys, r.root, newMetadata(name, stateCreating, cfg)) == nil {
			if names, lerr := fsys.List(r.root); lerr == nil {
				r.removeTopicFiles(name, names)
			}
		}
		return nil, err
	}
	r.publish(func(m map[string]*Topic) { m[name] = t })
	return t, nil
}

// AddPartitions grows topic name to total partitions, as Kafka's
// CreatePartitions does. Existing partitions keep their records; keyed
// records produced from now on may map to other partitions than before.
func (r *Registry) AddPartitions(name string, total int32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.Topic(name)
	if err != nil {
		return err
	}
	have := t.NumPartitions()
	if total <= have || total > maxPartitions {
		return fmt.Errorf("%w: %q has %d partitions; cannot grow to %d (at most %d)", ErrInvalidConfig, name, have, total, maxPartitions)
	}
	if err := t.openPartitions(int(have), int(total)); err != nil {
		return err
	}
	cfg := t.cfg
	cfg.Partitions = total
	if err := writeMetadata(r.opts.FS, r.root, newMetadata(name, stateReady, cfg)); err != nil {
		// The new partitions' directories stay: a failed write may have
		// put the new count in place after all. If it did not, Open
		// removes them as leftovers.
		for _, p := range t.shrinkTo(int(have)) {
			p.Close()
		}
		return err
	}
	t.changes.Broadcast()
	return nil
}

// Delete deletes topic name and every record in it. Its partitions are
// closed first: producers and readers of the topic get ErrClosed or
// ErrUnknownTopic. Deletion is crash-safe: once Delete has begun, a crash
// leaves a topic that the next Open finishes deleting.
func (r *Registry) Delete(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.Topic(name)
	if err != nil {
		return err
	}
	cfg := t.Config()
	if err := writeMetadata(r.opts.FS, r.root, newMetadata(name, stateDeleting, cfg)); err != nil {
		return err
	}
	r.publish(func(m map[string]*Topic) { delete(m, name) })
	t.close()
	if err := r.hooks.deleted(name); err != nil {
		return err
	}
	names, err := r.opts.FS.List(r.root)
	if err != nil {
		return fmt.Errorf("topic: listing %s: %w", r.root, err)
	}
	return r.removeTopicFiles(name, names)
}

// publish replaces the topic map with a copy changed by edit. Callers hold
// r.mu.
func (r *Registry) publish(edit func(map[string]*Topic)) {
	m := maps.Clone(*r.topics.Load())
	edit(m)
	r.topics.Store(&m)
}

// Close closes the registry: the hooks registered with OnClose run first,
// newest first (so producers deliver what they hold and committed offsets
// are closed), then every topic's partitions close, and the directory
// lock is released. Close is idempotent.
func (r *Registry) Close() error {
	r.mu.Lock()
	if r.closed.Swap(true) {
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()

	errs := r.hooks.closing()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range *r.topics.Load() {
		errs = append(errs, t.close())
	}
	errs = append(errs, r.lock.Close())
	return errors.Join(errs...)
}

// partitionOptions are the options of partition index of a topic.
func (r *Registry) partitionOptions(t *Topic, index int) partition.Options {
	lo := t.cfg.logOptions()
	lo.FS = r.opts.FS
	lo.Now = r.opts.Now
	lo.RetentionCheckInterval = r.opts.RetentionCheckInterval
	// The registry's lock on its root covers every partition under it.
	lo.NoLock = true
	return partition.Options{
		Topic:     t.name,
		Index:     int32(index),
		Log:       lo,
		Durable:   t.cfg.Flush == log.FlushAlways,
		OnAdvance: t.changes.Broadcast,
	}
}
