// Package record reads and writes Kafka's RecordBatch v2 (magic 2), the unit
// in which the log stores records on disk and sends them over the network,
// byte for byte as Kafka does, so that segment files and fetch responses
// can go to Kafka clients untouched.
//
// The package owns four things:
//
//   - [Builder] encodes records into a batch, compressing the records
//     section with a codec from package compress and computing the CRC-32C.
//   - [Batch] is a view of encoded bytes with an accessor for every header
//     field, [Batch.Validate] to check them, and setters for the two fields
//     a leader stamps on append (base offset and leader epoch), which lie
//     outside the CRC.
//   - [Iterator] decodes a batch's records, decompressing when needed.
//     Records of an uncompressed batch point into the batch's bytes.
//   - [Scanner] walks concatenated batches (a segment, a fetch response) and
//     stops cleanly at a partial batch at the end.
//
// The byte layouts are drawn in format.go (batch header), record.go
// (records), attributes.go (flags), varint.go and control.go, and described
// at more length in docs/FORMAT.md.
//
// # Bad bytes
//
// Nothing in this package panics on bytes read from a disk or a network, or
// allocates a length it read without first checking it against the bytes
// that remain. Broken bytes give a *[CorruptError], which wraps
// [ErrCorrupt]; bytes that end inside a batch give an error wrapping
// [ErrTruncated].
//
// # Concurrency
//
// A Batch may be read by many goroutines at once as long as nobody writes
// to its bytes. Builders, Iterators and Scanners hold state and are for one
// goroutine at a time; each is cheap to keep per goroutine and reuse.
package record
