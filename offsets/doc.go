// Package offsets keeps the committed offsets of consumer groups: for each
// (group, topic, partition), the offset of the next record the group will
// read, a metadata string and the time of the commit. It is usable on its
// own, by an application that tracks its consumers' positions itself or by
// a Kafka-protocol broker serving OffsetCommit and OffsetFetch; package
// consumer/group builds in-process consumer groups on it.
//
//	s, err := offsets.Open(dir, offsets.Options{})
//	defer s.Close()
//	err = s.Commit(ctx, "billing", offsets.Commit{Topic: "orders", Partition: 3, Offset: 1200})
//	c, ok := s.Committed("billing", "orders", 3) // c.Offset == 1200
//
// # Format
//
// The offsets are records of one log (package log), in the key and value
// layouts Kafka's group coordinator writes to __consumer_offsets (see
// format.go), so a Kafka decoder can read them. A deleted offset is a
// tombstone. The log is compacted as it grows: once it is well past the
// size of the live offsets, they are written again at its end and
// everything before them is deleted, the rewrite synced first so that a
// crash between the two leaves every offset twice, never missing.
//
// # Durability and concurrency
//
// A Store is safe for use by many goroutines. Commit returns once its
// offsets are in the log, on stable storage unless Options.NoSync, and
// readable; commits that wait together share one write and one fsync.
// Rounds of commits are applied in the order they were queued (Queue), so
// a caller can order its commits by a lock of its own without holding it
// across the fsync. A deletion (DeleteGroup, DeleteTopic, KeepTopics) is a
// round of its own, applied to what the rounds before it left: no commit
// queued before a deletion outlives it.
//
// The calls that wait for a write take a context first. It bounds the
// wait, not the write: a caller whose context ends before its round is
// written gets ctx.Err(), and the round is written all the same, so its
// commits may still become durable. A context that has ended before the
// call queues nothing.
//
// # Read-only stores
//
// With Options.ReadOnly a store is opened to look, beside a writer in
// another process if need be: Open takes no lock and changes no file (a
// missing directory is a store with no commits, and stays missing), reads
// the commits on disk, and serves them from memory; commits made
// afterwards, by the writer, are not seen. Every change (Commit, Queue,
// DeleteGroup, DeleteTopic, KeepTopics) fails with an error wrapping
// ErrReadOnly, and the log is never compacted.
//
//	s, err := offsets.Open(dir, offsets.Options{ReadOnly: true})
//	c, ok := s.Committed("billing", "orders", 3)
package offsets
