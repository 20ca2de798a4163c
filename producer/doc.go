// Package producer sends messages to a topic registry's topics from many
// goroutines. It collects each partition's messages into batches,
// compressed with the topic's codec, and writes all the batches waiting for
// a partition with one append and, on a durable topic, one fsync: group
// commit.
//
//	prod, err := producer.New(reg, producer.Options{})
//	ack, err := prod.Produce(ctx, producer.Message{Topic: "orders", Key: id, Value: v})
//	prod.ProduceAsync(ctx, m, func(a producer.Ack, err error) { ... })
//
// # Partitioning
//
// The producer's Partitioner chooses each message's partition. The default
// one sends a keyed message to murmur2(key) mod partitions, as Kafka's Java
// client does, so that keys land on the same partitions as they would in
// Kafka, and sends messages without a key to one partition at a time,
// moving on after each batch. A producer that chooses partitions itself
// uses NewManualPartitioner, which sends each message to its Partition.
//
// # Limits
//
// A batch, and so a record, is at most its topic's MaxMessageBytes; a
// record that cannot fit alone fails with a *RecordTooLargeError that says
// which setting to raise. A change of the topic's configuration
// (topic.Registry.AlterConfig) applies from the producer's next batch.
//
// # Acknowledgement
//
// A message is acknowledged once its batch is written to its partition's
// log; on a topic whose flush policy is topic.FlushAlways, once it is on
// stable storage, one fsync covering every batch the write carried. Every
// message gets exactly one outcome, also when the producer or its registry
// closes (a *ClosedError says which), and the messages of one partition
// are written, and acknowledged, in the order they were produced.
//
// # Concurrency
//
// A Producer is safe for use by many goroutines. Callbacks run on the
// producer's writer goroutines and must not block. The registry's Close
// closes its producers, which deliver what they hold first.
package producer
