package topic

import (
	"context"
	"fmt"
	"maps"
)

// The administrative operations below take a context first. It bounds the
// wait for the operation before them to end, and is checked before each
// step that writes; an fsync already issued is not interrupted, and once
// an operation is past its point of no return it completes whatever the
// context says. Each says in what state it leaves the registry when it
// returns the context's error.

// begin waits for the registry's administrative operations to be this
// caller's, and checks that the registry may change. The caller calls
// r.end when done, if begin succeeded.
func (r *Registry) begin(ctx context.Context) error {
	select {
	case r.admin <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	var err error
	switch {
	case ctx.Err() != nil:
		err = ctx.Err()
	case r.closed.Load():
		err = r.errClosed()
	case r.opts.ReadOnly:
		err = errorf(ErrReadOnly, "topic: registry %s is open read-only", r.root)
	}
	if err != nil {
		r.end()
	}
	return err
}

// end lets the next administrative operation run.
func (r *Registry) end() { <-r.admin }

// Create creates a topic called name with cfg and opens it. The name must
// pass ValidateName and must not exist (an error wrapping ErrTopicExists);
// cfg's zero fields take their defaults. Creation is crash-safe: after a
// crash the topic either exists whole or not at all.
//
// If ctx ends first, Create returns its error and creates nothing: what
// it had begun is rolled back (or, should the rollback fail, by the next
// Open).
func (r *Registry) Create(ctx context.Context, name string, cfg Config) (*Topic, error) {
	t, _, err := r.create(ctx, name, cfg, false)
	return t, err
}

// CreateIfNotExists creates topic name with cfg as Create does, unless it
// exists: then it returns the topic as it is. The boolean reports whether
// it created the topic. cfg is validated either way, but not compared with
// an existing topic's configuration: a topic may have grown (AddPartitions)
// or been reconfigured (AlterConfig) since it was created, and a program
// that calls CreateIfNotExists each time it starts must not fail for
// that. A caller that needs particular settings reads Topic.Config.
func (r *Registry) CreateIfNotExists(ctx context.Context, name string, cfg Config) (*Topic, bool, error) {
	return r.create(ctx, name, cfg, true)
}

// create implements Create and CreateIfNotExists.
func (r *Registry) create(ctx context.Context, name string, cfg Config, existingOK bool) (*Topic, bool, error) {
	if err := ValidateName(name); err != nil {
		return nil, false, err
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, false, err
	}
	if err := r.begin(ctx); err != nil {
		return nil, false, err
	}
	defer r.end()
	if t := r.topics.Load().byName[name]; t != nil {
		if existingOK {
			return t, false, nil
		}
		return nil, false, errorf(ErrTopicExists, "topic: %q already exists", name)
	}
	fsys := r.opts.FS
	names, err := fsys.List(r.root)
	if err != nil {
		return nil, false, fmt.Errorf("topic: listing %s: %w", r.root, err)
	}
	if dirs := partitionIndexes(name, names); len(dirs) > 0 {
		// Directories no topic owns: refuse to adopt or delete them.
		return nil, false, errorf(ErrTopicExists, "topic: cannot create %q: %s holds partition directories of no known topic (%s)",
			name, r.root, partitionDir(r.root, name, dirs[0]))
	}

	// A new ID, whatever topic had this name before: what is kept by
	// name elsewhere tells this topic from that one by its ID.
	id := newID()
	for r.topics.Load().byID[id] != nil {
		id = newID()
	}
	if err := writeMetadata(fsys, r.root, newMetadata(name, stateCreating, id, cfg)); err != nil {
		return nil, false, err
	}
	t := newTopic(r, name, id, cfg)
	err = t.openPartitions(ctx, 0, int(cfg.Partitions))
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		// The point of no return: once "ready" is written, the topic
		// exists.
		err = writeMetadata(fsys, r.root, newMetadata(name, stateReady, id, cfg))
	}
	if err != nil {
		t.close()
		// Roll back: mark the topic as being created again first, since
		// a failed write of "ready" may have replaced the file anyway;
		// then remove it. If any of this fails, Open finishes the job.
		if writeMetadata(fsys, r.root, newMetadata(name, stateCreating, id, cfg)) == nil {
			if names, lerr := fsys.List(r.root); lerr == nil {
				r.removeTopicFiles(name, names)
			}
		}
		return nil, false, err
	}
	r.publish(func(m map[string]*Topic) { m[name] = t })
	r.logger.Info("topic created", "topic", name, "topic_id", id.String(), "partitions", cfg.Partitions)
	return t, true, nil
}

// AddPartitions grows topic name to total partitions, as Kafka's
// CreatePartitions does. Existing partitions keep their records; keyed
// records produced from now on may map to other partitions than before.
//
// If ctx ends first, AddPartitions returns its error and the topic keeps
// its partitions. The directories of the new ones it had opened stay, as
// after any failure, until the next Open removes them or AddPartitions
// opens them again. Once it writes the new count it completes.
func (r *Registry) AddPartitions(ctx context.Context, name string, total int32) error {
	if err := r.begin(ctx); err != nil {
		return err
	}
	defer r.end()
	t, err := r.Topic(name)
	if err != nil {
		return err
	}
	have := t.NumPartitions()
	if total <= have || total > maxPartitions {
		return invalidConfig("cannot grow %q from %d partitions to %d: a topic only grows, to at most %d", name, have, total, maxPartitions)
	}
	if err := t.openPartitions(ctx, int(have), int(total)); err != nil {
		return err
	}
	err = ctx.Err()
	if err == nil {
		cfg := t.Config()
		cfg.Partitions = total
		err = writeMetadata(r.opts.FS, r.root, newMetadata(name, stateReady, t.id, cfg))
	}
	if err != nil {
		// The new partitions' directories stay: a failed write may have
		// put the new count in place after all. If it did not, Open
		// removes them as leftovers.
		for _, p := range t.shrinkTo(int(have)) {
			p.Close()
		}
		return err
	}
	t.changes.Broadcast()
	r.changes.Broadcast()
	r.logger.Info("partitions added", "topic", name, "partitions", total, "added", total-have)
	return nil
}

// Delete deletes topic name and every record in it. Its partitions are
// closed first: producers and readers of the topic get ErrClosed or
// ErrUnknownTopic. Deletion is crash-safe: once Delete has begun, a crash
// leaves a topic that the next Open finishes deleting.
//
// ctx bounds the wait for the operation before it to end; once Delete
// marks the topic as being deleted, its first write, it completes.
func (r *Registry) Delete(ctx context.Context, name string) error {
	if err := r.begin(ctx); err != nil {
		return err
	}
	defer r.end()
	t, err := r.Topic(name)
	if err != nil {
		return err
	}
	if err := writeMetadata(r.opts.FS, r.root, newMetadata(name, stateDeleting, t.id, t.Config())); err != nil {
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
	if err := r.removeTopicFiles(name, names); err != nil {
		return err
	}
	r.logger.Info("topic deleted", "topic", name, "topic_id", t.id.String())
	return nil
}

// publish replaces the registry's topics with a copy changed by edit,
// and wakes the waiters on Changed. Callers hold the administrative token
// (begin).
func (r *Registry) publish(edit func(map[string]*Topic)) {
	m := maps.Clone(r.topics.Load().byName)
	edit(m)
	r.topics.Store(newTopicIndex(m))
	r.changes.Broadcast()
}
