// Package topic is a registry of named topics in one directory, each a set
// of partitions (package partition) with its own configuration. It creates,
// opens, grows, describes and deletes them, crash-safely.
//
//	reg, err := topic.Open(dir, topic.Options{})
//	defer reg.Close()
//	orders, err := reg.Create("orders", topic.Config{Partitions: 8, Flush: topic.FlushAlways})
//	p, err := orders.Partition(3) // a *partition.Partition
//
// What is built on a registry lives in packages of its own, each of which
// this one does not import: producer (batching, partitioning and group
// commit from many goroutines), consumer (readers of a partition or a whole
// topic), offsets (committed consumer offsets) and consumer/group
// (in-process consumer groups). They hear of a topic's deletion and of the
// registry's Close through hooks (Registry.OnDelete, Registry.OnClose).
//
// # Layout
//
// A registry's directory holds one metadata file per topic,
// <name>.topic, and one directory per partition, <name>-<index>, which
// holds that partition's log. Topic names follow Kafka's rules (see
// ValidateName). Creating, growing and deleting a topic are crash-safe:
// Open finishes or rolls back what a crash interrupted. Config is stored
// under Kafka's configuration names.
//
// # Durability
//
// On a topic whose Config.Flush is FlushAlways, an append is acknowledged
// only once on stable storage, and readers see only such records (the
// partitions' high watermark follows the durable point). On other topics
// durability follows the flush policy, and a crash of the machine (not of
// the process) may lose acknowledged records that were not yet flushed.
//
// # Concurrency
//
// Registry and Topic are safe for use by many goroutines. Administrative
// operations (Create, AddPartitions, Delete, Close) run one at a time.
package topic
