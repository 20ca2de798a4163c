// Package compress implements the compression codecs of Kafka's RecordBatch
// format.
//
// A batch stores its codec in bits 0-2 of its attributes, and when that
// codec is not [None] everything after the batch's 61-byte header, the
// records section, is one compressed stream. This package turns a records
// section into such a stream and back. It knows nothing of batches itself:
// it owns only the codec ids, their names, and the bytes of each codec's
// stream.
//
// # Codecs
//
// The ids are Kafka's, and each stream is in a form that Kafka's clients
// write and read:
//
//	id  name    stream
//	0   none    the records as they are
//	1   gzip    gzip members (RFC 1952), written at the fastest level
//	2   snappy  one raw snappy block; the xerial framing is also read
//	3   lz4     the LZ4 frame format, with 64 KiB blocks
//	4   zstd    Zstandard frames, written at the default level (3)
//
// Gzip is written at level 1, the fastest: on record batches it comes
// within about five percent of the default level's size in about half the
// time, and a producer after the smallest batches does better with zstd.
// Snappy writes a single raw block, which every client reads, and reads
// both raw blocks and the xerial framing that Kafka's Java client and
// several others write: an 8-byte magic, a version, a compatible version,
// then raw blocks each behind a big-endian length. The names are
// those of Kafka's compression.type setting; [ParseCodec] and the text
// marshalling methods convert between names and ids.
//
// # Limits
//
// A compressed stream says little about how large it will be once
// decompressed, and a few kilobytes of zeros can expand to gigabytes.
// [Codec.AppendDecompressed] therefore takes a limit: the most bytes the
// caller is willing to receive. Once the output would pass it, decoding
// stops with an error wrapping [ErrTooLarge], and the call will have
// allocated no more than about limit bytes along the way. Where a stream
// states its decoded size up front (a raw snappy block, a zstd frame with a
// content size) a size over the limit is rejected before anything is
// allocated. The one cost the limit does not bound is LZ4's: its frame
// reader decodes a block at a time into a buffer of the block size the frame
// declares, at most 4 MiB, which it takes from a pool and returns. A stream
// that is not well formed gives an error wrapping [ErrCorrupt], never a
// panic.
//
// # Reuse and concurrency
//
// Both directions append to a slice the caller passes in, so a caller that
// reuses its buffers keeps allocations near zero: the encoders and decoders
// behind the codecs are pooled and reset between uses. Every function and
// method in the package is safe for concurrent use.
//
// # Example
//
// Compressing a records section and reading it back:
//
//	packed, err := compress.Zstd.AppendCompressed(nil, records)
//	if err != nil {
//		return err
//	}
//	records, err = compress.Zstd.AppendDecompressed(records[:0], packed, 1<<20)
//	if errors.Is(err, compress.ErrTooLarge) {
//		// more than 1 MiB once decompressed
//	}
package compress
