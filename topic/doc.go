// Package topic is a directory of named topics, each a set of partitions,
// with a producer that batches and group-commits messages from many
// goroutines and readers that follow one partition or all of them.
//
//	reg, err := topic.Open(dir, topic.Options{})
//	defer reg.Close()
//	orders, err := reg.Create("orders", topic.Config{Partitions: 8})
//
//	prod, err := reg.NewProducer(topic.ProducerOptions{})
//	ack, err := prod.Produce(ctx, topic.Message{Topic: "orders", Key: id, Value: v})
//
//	r, err := orders.NewReader(topic.ReaderOptions{Start: topic.Earliest()})
//	for rec, err := range r.All(ctx) { ... }
//
// # Layout
//
// A registry's directory holds one metadata file per topic,
// <name>.topic, and one directory per partition, <name>-<index>, which
// holds that partition's log. Topic names follow Kafka's rules (see
// ValidateName). Creating, growing and deleting a topic are crash-safe:
// Open finishes or rolls back what a crash interrupted.
//
// # Partitioning
//
// A message that names a partition goes there. Otherwise the producer's
// Partitioner decides; the default one sends a keyed message to
// murmur2(key) mod partitions, as Kafka's Java client does, so that keys
// land on the same partitions as they would in Kafka, and sends messages
// without a key to one partition at a time, moving on after each batch.
//
// # Acknowledgement
//
// A message is acknowledged once its batch is written to its partition's
// log. On a topic whose Config.Flush is log.FlushAlways it is acknowledged
// only once on stable storage, and readers see only such records; one
// fsync covers every batch the write carried. On other topics durability
// follows the flush policy, and a crash of the machine (not of the
// process) may lose acknowledged records that were not yet flushed.
//
// # Concurrency
//
// Registry, Topic and Producer are safe for use by many goroutines.
// Readers are for one goroutine each; any number may read a topic.
package topic
