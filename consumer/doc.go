// Package consumer reads the committed records of a topic's partitions:
// a PartitionReader follows one partition, a TopicReader every partition
// of a topic, as a subscriber does, those added while it reads included.
// Both wait for new records at the end, and start where a Position says:
// the earliest record, the latest, an offset, a time, or a consumer group's
// committed offset. In-process consumer groups, which share a topic's
// partitions among their members, are in package consumer/group.
//
//	orders, err := reg.Topic("orders")
//	r, err := consumer.NewTopicReader(orders, consumer.Options{Start: consumer.Earliest()})
//	for rec, err := range r.All(ctx) {
//		if err != nil { ... }
//		use(rec.Partition, rec.Offset, rec.Key, rec.Value)
//	}
//
// # Committed records only
//
// Readers return records below each partition's high watermark: on a
// topic whose flush policy is topic.FlushAlways, only records on stable
// storage. A reader whose position falls below the log start, because
// retention deleted the records there, goes on from the log start, as
// Kafka's consumers do with auto.offset.reset=earliest, and logs a
// warning that says how many records it skipped, unless
// Options.FailOnOutOfRange. Options.Metrics receives each partition's lag.
//
// # Concurrency
//
// A reader is for one goroutine; any number of readers may read a topic.
// The Record a reader returns is valid until its next call: its byte
// slices point into the reader's buffers (see Record.Clone).
package consumer
