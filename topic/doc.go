// Package topic is a registry of named topics in one directory, each a set
// of partitions (package partition) with its own configuration. It creates,
// opens, grows, reconfigures, describes and deletes them, crash-safely.
//
//	reg, err := topic.Open(dir, topic.Options{})
//	defer reg.Close()
//	orders, _, err := reg.CreateIfNotExists(ctx, "orders", topic.Config{Partitions: 8, Flush: topic.FlushAlways})
//	p, err := orders.Partition(3) // a *partition.Partition
//	_, err = reg.AlterConfig(ctx, "orders", func(c *topic.Config) { c.RetentionAge = 24 * time.Hour })
//
// What is built on a registry lives in packages of its own, each of which
// this one does not import: producer (batching, partitioning and group
// commit from many goroutines), consumer (readers of a partition or a whole
// topic), offsets (committed consumer offsets) and consumer/group
// (in-process consumer groups). They hear of a topic's deletion and of the
// registry's Close through hooks (Registry.OnDelete, Registry.OnClose),
// and wait for topics to appear, grow or change on Registry.Changed.
//
// # Layout
//
// A registry's directory holds one metadata file per topic,
// <name>.topic, and one directory per partition, <name>-<index>, which
// holds that partition's log. Topic names follow Kafka's rules (see
// ValidateName). Creating, growing, reconfiguring and deleting a topic are
// crash-safe: the metadata file is replaced atomically, and Open finishes
// or rolls back what a crash interrupted. Config is stored under Kafka's
// configuration names.
//
// # Topic IDs
//
// Each topic has an ID, as Kafka's topics have had since KIP-516: 16
// random bytes that Create gives it, kept in its metadata file, written
// in Kafka's form (ID.String, ParseID) and looked up with
// Registry.TopicByID. A topic deleted and created again under its name
// gets a new ID, so that what is kept by topic name elsewhere, committed
// offsets say, can tell the new topic from the old one. A topic stored
// before topics had IDs gets one the first time a registry opens it
// writable; opened read-only, it has the zero ID.
//
// # Changing a topic
//
// Create, CreateIfNotExists, AddPartitions, AlterConfig and Delete write
// and fsync, and take a context first: it bounds the wait for the
// administrative operation before them, and is checked before each step
// that writes; once an operation is past its point of no return it
// completes. AlterConfig changes any setting but the partition count on
// the open topic, as Kafka's IncrementalAlterConfigs does: the partitions
// follow at once (retention, flushing) or from their next append or roll
// (batch limit, compression, timestamps, segments).
//
// # Waiting for changes
//
// Registry.Changed returns a channel closed at the next change of the
// set of topics, of a topic's partition count or of its configuration,
// and at Close; Topic.Changed one closed when a partition's high
// watermark moves, the topic grows or it closes. Take the channel, look,
// then wait on it:
//
//	for {
//		changed := reg.Changed()
//		if t, err := reg.Topic("orders"); !errors.Is(err, topic.ErrUnknownTopic) {
//			return t, err // the topic, or ErrClosed
//		}
//		<-changed
//	}
//
// # Reading without the lock
//
// An open registry locks its directory. Options.ReadOnly opens one beside
// it, in another process say, without the lock and without writing
// anything: a snapshot of the topics and records on disk, for tools that
// list, describe and read. Every change fails with ErrReadOnly; the hooks
// register but OnDelete's never run, and Registry.Changed fires only at
// Close.
//
// # Durability
//
// On a topic whose Config.Flush is FlushAlways, an append is acknowledged
// only once on stable storage, and readers see only such records (the
// partitions' high watermark follows the durable point). On other topics
// durability follows the flush policy, and a crash of the machine (not of
// the process) may lose acknowledged records that were not yet flushed.
//
// # Logging and metrics
//
// The registry logs each topic created, grown, reconfigured and deleted,
// what Open finishes after a crash, the IDs it gives topics stored before
// IDs, and an Open refused for the lock, to
// Options.Logger; each partition's log logs to it too, with "topic" and
// "partition" attributes, and reports to Options.Metrics with the topic
// and partition as labels.
//
// # Concurrency
//
// Registry and Topic are safe for use by many goroutines. Administrative
// operations (Create, CreateIfNotExists, AddPartitions, AlterConfig,
// Delete, Close) run one at a time.
package topic
