// Package log is one partition's log: a directory of segments, appended to
// at the end and read from any offset.
//
//	l, err := log.Open(dir, log.Options{Flush: log.FlushAlways})
//	info, err := l.AppendRecords(record.Record{Key: k, Value: v})
//	r := l.NewReader(info.FirstOffset)
//	for r.Next() { use(r.Record()) }
//	err = l.Close()
//
// # What it owns
//
// Offsets: an append as leader gives records consecutive offsets from the
// log end and stamps the leader epoch; an append as follower keeps the
// offsets its batches carry. Segments: the active segment is rolled when it
// would outgrow Options.SegmentBytes, when its records span more than
// Options.SegmentAge (by record timestamps), when its indexes are full, or
// when an offset would not fit its 32-bit relative offsets. Reads: whole
// batches from the one holding the offset, within a byte budget and an
// upper bound, as bytes or written to an io.Writer (with sendfile to a
// socket); [Reader] decodes records. Durability: the flush policy, Sync,
// the recovery point, and recovery on Open after an unclean shutdown, which
// checks every batch's CRC and cuts a torn or corrupt tail.
//
// # Concurrency
//
// One writer at a time: Append, AppendRecords, AppendFollower, the
// truncations, retention and Close hold the writer lock. Readers take no lock the writer holds: they
// load an immutable snapshot of the segment list through an atomic pointer
// and hold a reference on the segment they read, so that a segment is never
// closed under them. fsyncs run outside the writer lock.
// [Log.Reconfigure] changes the options of an open log under the writer
// lock, and is safe beside every other call.
//
// # Read-only logs
//
// With Options.ReadOnly a log is opened for reading only, beside a writer
// in another process if need be: Open takes no lock and changes no file,
// recovery happens in memory, and the log shows the files as Open read
// them. Every call that would change the log fails with ErrReadOnly.
//
// # Logs, metrics and stats
//
// Options.Logger gets a line for each decision the log makes on its own
// (what recovery cut or dropped and why, a checkpoint it could not use,
// rolls, retention, truncation, the failure that stops writes), and
// Options.Metrics its counts: appends, fsyncs and their latency, reads,
// sendfile bytes, rolls, deletions, recovery. [Log.Stats] is a snapshot
// of its shape. docs/OBSERVABILITY.md lists them all.
//
// # Errors
//
// Offsets outside the log give an *OffsetOutOfRangeError (ErrOffsetOutOfRange);
// a follower append that does not follow the log end an
// *UnexpectedOffsetError (ErrUnexpectedOffset); a closed log ErrClosed; a
// directory open in another Log ErrLocked; bad batches errors wrapping
// ErrCorrupt, ErrBatchTooLarge or ErrEmptyBatch. Damage that no crash
// leaves (a segment renamed, emptied or holding another's bytes, offsets
// that go back) is ErrCorrupt, from Open or from the first read that
// meets it, never a silent gap; a checkpoint that says what cannot be is
// ErrBadCheckpoint. After a failed write or fsync, or a truncation that
// failed part way, the log refuses writes until it is reopened, since the
// files may no longer be what the log believes.
package log
