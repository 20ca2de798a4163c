package topic

import (
	"context"
	"strings"
)

// AlterConfig changes the configuration of topic name while it is open,
// as Kafka's IncrementalAlterConfigs does: edit is given the topic's
// current configuration, every field set, and changes what it means to;
// a field it sets to zero goes back to its default. Every setting may
// change but the partition count, which only AddPartitions changes: edit
// must leave Partitions as it is (or zero it), else AlterConfig fails
// with an error wrapping ErrInvalidConfig. The new configuration is
// validated as Create validates one, stored crash-safely (a crash leaves
// the old configuration or the new, whole) and applied to every partition
// (see partition.Partition.Reconfigure): the flush policy at once (a
// change to FlushAlways syncs each partition and makes it durable),
// retention from the next pass, the batch size limit, compression and
// timestamp type from the next append, segment settings from the next
// roll. AlterConfig returns the configuration now in force, which
// Topic.Config returns too; if edit changed nothing it writes nothing.
//
// A producer takes the new compression and batch size limit from the
// next batch it starts.
//
// If ctx ends before the new configuration is stored, AlterConfig returns
// its error and the topic keeps its configuration; once it is stored,
// AlterConfig completes. An error from a partition (a failed sync) comes
// with the new configuration, stored and in force.
func (r *Registry) AlterConfig(ctx context.Context, name string, edit func(*Config)) (Config, error) {
	if err := r.begin(ctx); err != nil {
		return Config{}, err
	}
	defer r.end()
	t, err := r.Topic(name)
	if err != nil {
		return Config{}, err
	}
	old := t.Config()
	cfg := old
	edit(&cfg)
	if cfg.Partitions == 0 {
		cfg.Partitions = old.Partitions
	}
	if cfg.Partitions != old.Partitions {
		return old, invalidConfig("cannot change the partition count of %q from %d to %d here: AddPartitions grows a topic",
			name, old.Partitions, cfg.Partitions)
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return old, err
	}
	changed := changedKeys(old, cfg)
	if len(changed) == 0 {
		return old, nil
	}
	if err := ctx.Err(); err != nil {
		return old, err
	}
	if err := writeMetadata(r.opts.FS, r.root, newMetadata(name, stateReady, t.id, cfg)); err != nil {
		// The failed write may have replaced the file all the same: put
		// the old configuration back, so that what the next Open reads
		// is what the topic runs with. If that fails too, the next Open
		// may find either.
		writeMetadata(r.opts.FS, r.root, newMetadata(name, stateReady, t.id, old))
		return old, err
	}
	t.cfg.Store(&cfg)
	r.changes.Broadcast()
	err = t.reconfigure()
	r.logger.Info("topic config altered", "topic", name, "changed", strings.Join(changed, ","))
	return cfg, err
}

// changedKeys lists, by Kafka's names, the settings in which two
// defaulted configurations differ.
func changedKeys(old, cfg Config) []string {
	a, b := newMetadata("", "", ID{}, old).Config, newMetadata("", "", ID{}, cfg).Config
	var keys []string
	diff := func(key string, changed bool) {
		if changed {
			keys = append(keys, key)
		}
	}
	diff("segment.bytes", a.SegmentBytes != b.SegmentBytes)
	diff("segment.index.bytes", a.SegmentIndex != b.SegmentIndex)
	diff("segment.ms", a.SegmentMs != b.SegmentMs)
	diff("segment.jitter.ms", a.SegmentJitterMs != b.SegmentJitterMs)
	diff("retention.ms", a.RetentionMs != b.RetentionMs)
	diff("retention.bytes", a.RetentionBytes != b.RetentionBytes)
	diff("compression.type", a.Compression != b.Compression)
	diff("flush.policy", a.Flush != b.Flush)
	diff("flush.messages", a.FlushMessages != b.FlushMessages)
	diff("flush.ms", a.FlushMs != b.FlushMs)
	diff("max.message.bytes", a.MaxMessageBytes != b.MaxMessageBytes)
	diff("message.timestamp.type", a.TimestampType != b.TimestampType)
	return keys
}
