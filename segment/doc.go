// Package segment is one segment of a partition's log: a file of record
// batches, N.log, with its sparse offset index N.index and time index
// N.timeindex, all named by the segment's base offset N written as 20
// digits (see name.go).
//
// The log file is Kafka's: RecordBatch v2 batches end to end, nothing
// else. The index files are Kafka's layouts too (package index), kept in
// memory and written when the segment is sealed or flushed.
//
// # Life of a segment
//
// [Create] starts an empty active segment. [Segment.Append] writes batches
// the log has checked and numbered, with one write call, and adds an index
// entry whenever more than Options.IndexIntervalBytes were appended since
// the last one. [Segment.Seal] ends its active life: the time index gets
// its final entry and both indexes are trimmed to their entries. [Open]
// opens an existing segment without reading it; its indexes open on first
// use, so a log of thousands of segments opens quickly. [Segment.Recover]
// reads a segment whole after a crash, checking every batch, rebuilding the
// indexes and cutting the file at the first bad byte, but refusing a
// segment whose first batch lies below its name ([ErrMisnamed]) and
// stopping at offsets its indexes cannot hold ([OverflowError]), which
// [Segment.Split] moves into a segment of their own; [Segment.Activate]
// resumes appending to a segment after a clean shutdown.
//
// # Reading
//
// [Segment.Locate] finds the batch that holds an offset: the offset
// index's nearest entry at or below it, then a walk over batch headers,
// which checks that the offsets it meets follow one another. A sealed
// segment opened without being read is checked first, once
// ([Segment.Verify]), against its name and its indexes.
// [Segment.FindOffsetByTimestamp] does the same from a time.
// [Segment.ReadAt] and [Segment.File] give the bytes.
//
// # Concurrency
//
// One writer (the log, under its lock) and any number of readers, which
// take no lock: the size and next offset are published atomically after a
// write, and readers look no further than the size they loaded. Segments
// are reference counted ([Segment.Retain], [Segment.Release]), so a reader
// keeps the files open, and a deleted segment's files are removed only
// after its last reader is done.
package segment
