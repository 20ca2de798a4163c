// Package partition is one replica of one partition of a topic: its log,
// its identity, and its high watermark, the offset below which records are
// committed and may be read by consumers.
//
//	p, err := partition.Open(dir, partition.Options{Topic: "orders", Index: 3})
//	info, err := p.AppendRecords(record.Record{Key: k, Value: v})
//	r := p.NewReader(info.FirstOffset)
//	for r.Next() { use(r.Record()) }
//	err = p.Close()
//
// # High watermark
//
// A partition that is its topic's only replica commits what it appends:
// its high watermark follows the log end, or, when Options.Durable asks
// for durable acknowledgement, the point up to which the log is on stable
// storage. Consumers read through [Partition.Read], [Partition.NewReader]
// and [Partition.Wait], which never see a record at or above the high
// watermark; a replica that copies the log reads with [UpToLogEnd].
// Produce and fetch go through the partition rather than its log, so that
// followers, the in-sync replica set and acknowledgement by all replicas
// can move the high watermark without changing callers.
//
// # Replicated partitions
//
// A partition opened with Options.Replicated is one of several replicas,
// and something above it (package replication) decides what is
// committed: appends do not move the high watermark, and
// [Partition.SetHighWatermark] does, monotonically and never past the log
// end. [Partition.AwaitCommit] calls back, in offset order, once the high
// watermark passes an offset, which is how a leader acknowledges a
// produce with acks=all without a goroutine for each. A follower copies
// its leader's batches with [Partition.AppendFollower] and cuts a
// diverged tail with [Partition.TruncateTo], which refuses to go below the
// high watermark ([Partition.TruncateBelowHighWatermark] is for unclean
// elections only). The high watermark is saved in the partition's
// replication-offset-checkpoint file by [Partition.CheckpointHighWatermark]
// and by Close, and Open starts from it, within the log: never from the
// log end, which may hold records no other replica has. The replica calls
// fail with ErrNotReplicated on a partition that is not replicated.
//
// # Read-only partitions
//
// A partition whose log is opened with log.Options.ReadOnly reads the log
// as its files were at Open, beside a writer in another process if need
// be, and changes nothing: appends, DeleteRecordsBefore, EnforceRetention
// and Sync fail with ErrReadOnly. Its high watermark is fixed at Open. It
// is the log end, every valid batch in the files, for a partition that
// is not durable, since such a partition commits what it writes. A
// durable partition commits only what is on stable storage, and a reader
// cannot tell which of the records a writer has written are: it serves
// the records below the log's recovery point, which is the log end after
// a clean shutdown and otherwise the recovery point its writer last
// checkpointed (after a roll, an interval flush or a recovery), so that it
// may show fewer records than its writer does, never more.
//
// # Errors
//
// Every error carries the partition's identity as an *Error, which unwraps
// to the log's error: errors.Is(err, ErrClosed), errors.As(err,
// new(*OffsetOutOfRangeError)) and so on see through it.
//
// # Concurrency
//
// A Partition is safe for use by many goroutines, with the log's contract:
// one append at a time, reads and waits without the writer's lock.
// A Reader is for one goroutine.
package partition
