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
// A message that names a partition goes there. Otherwise the producer's
// Partitioner decides; the default one sends a keyed message to
// murmur2(key) mod partitions, as Kafka's Java client does, so that keys
// land on the same partitions as they would in Kafka, and sends messages
// without a key to one partition at a time, moving on after each batch.
//
// # Acknowledgement
//
// A message is acknowledged once its batch is written to its partition's
// log; on a topic whose flush policy is topic.FlushAlways, once it is on
// stable storage, one fsync covering every batch the write carried. Every
// message gets exactly one outcome, also when the producer or its registry
// closes, and the messages of one partition are written, and acknowledged,
// in the order they were produced.
//
// # Concurrency
//
// A Producer is safe for use by many goroutines. Callbacks run on the
// producer's writer goroutines and must not block. The registry's Close
// closes its producers, which deliver what they hold first.
package producer
