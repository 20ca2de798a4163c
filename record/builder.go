package record

import (
	"fmt"
	"math"

	"github.com/commitlog-go/commitlog/compress"
)

// Builder encodes records into a batch. Its buffers are kept across
// [Builder.Reset], so a Builder reused for batches of similar size allocates
// nothing in steady state.
//
// A Builder is not safe for concurrent use.
type Builder struct {
	attrs         Attributes
	baseOffset    int64
	leaderEpoch   int32
	producerID    int64
	producerEpoch int16
	baseSequence  int32

	count         int32
	baseTimestamp int64
	maxTimestamp  int64

	// raw holds HeaderSize reserved bytes followed by the uncompressed
	// records section.
	raw []byte
	// compressed holds the finished batch when the codec is not None.
	compressed []byte
}

// NewBuilder returns a Builder for an uncompressed batch with no producer
// id, base offset 0 and no leader epoch.
func NewBuilder() *Builder {
	b := new(Builder)
	b.Reset()
	return b
}

// Reset forgets the records and restores every setting to its default, as
// [NewBuilder] leaves them, keeping the buffers.
func (b *Builder) Reset() {
	*b = Builder{
		leaderEpoch:   NoPartitionLeaderEpoch,
		producerID:    NoProducerID,
		producerEpoch: NoProducerEpoch,
		baseSequence:  NoSequence,
		baseTimestamp: NoTimestamp,
		maxTimestamp:  NoTimestamp,
		raw:           append(b.raw[:0], make([]byte, HeaderSize)...),
		compressed:    b.compressed[:0],
	}
}

// SetCodec sets the codec that compresses the records section.
func (b *Builder) SetCodec(c compress.Codec) { b.attrs = b.attrs.WithCodec(c) }

// SetProducer sets the idempotent producer's id and epoch and the sequence
// number of the batch's first record.
func (b *Builder) SetProducer(id int64, epoch int16, baseSequence int32) {
	b.producerID, b.producerEpoch, b.baseSequence = id, epoch, baseSequence
}

// SetTransactional marks the batch as part of a transaction.
func (b *Builder) SetTransactional(on bool) {
	b.attrs = setFlag(b.attrs, transactionalFlag, on)
}

// SetControl marks the batch as holding control records.
func (b *Builder) SetControl(on bool) { b.attrs = setFlag(b.attrs, controlFlag, on) }

// SetTimestampType sets whether timestamps are the producer's (CreateTime,
// the default) or the log's (LogAppendTime).
func (b *Builder) SetTimestampType(t TimestampType) {
	b.attrs = setFlag(b.attrs, logAppendTimeFlag, t == LogAppendTime)
}

// SetBaseOffset sets the offset of the first record. A log assigns offsets
// itself on append, so most callers leave it at 0.
func (b *Builder) SetBaseOffset(offset int64) { b.baseOffset = offset }

// SetPartitionLeaderEpoch sets the leader epoch stamped in the header.
func (b *Builder) SetPartitionLeaderEpoch(epoch int32) { b.leaderEpoch = epoch }

// Append adds a record. Its Offset is ignored: records take consecutive
// offsets from the batch's base offset.
func (b *Builder) Append(r Record) {
	if b.count == 0 {
		b.baseTimestamp = r.Timestamp
		b.maxTimestamp = r.Timestamp
	} else if r.Timestamp > b.maxTimestamp {
		b.maxTimestamp = r.Timestamp
	}
	b.raw = appendRecord(b.raw, &r, r.Timestamp-b.baseTimestamp, b.count)
	b.count++
}

// Len is the number of records appended since the last Reset.
func (b *Builder) Len() int { return int(b.count) }

// Size is the size in bytes the batch would have without compression.
func (b *Builder) Size() int { return len(b.raw) }

// Build finishes the batch: it compresses the records section if a codec is
// set, fills in the header and computes the CRC. The returned Batch points
// into the Builder's buffers and is valid until the next Append or Reset.
// Build may be called again after more records are appended.
//
// A batch built from no records has RecordCount 0, LastOffsetDelta -1 and
// both timestamps NoTimestamp.
func (b *Builder) Build() (Batch, error) {
	batch := Batch(b.raw)
	if codec := b.attrs.Codec(); codec != compress.None {
		out, err := codec.AppendCompressed(append(b.compressed[:0], b.raw[:HeaderSize]...), b.raw[HeaderSize:])
		if err != nil {
			return nil, fmt.Errorf("record: compressing batch: %w", err)
		}
		b.compressed = out
		batch = Batch(out)
	}
	if len(batch)-LogOverhead > math.MaxInt32 {
		return nil, fmt.Errorf("record: batch of %d bytes is too large to encode", len(batch))
	}
	b.writeHeader(batch)
	return batch, nil
}

// writeHeader fills in the header of a batch whose records section is in
// place, CRC last.
func (b *Builder) writeHeader(batch Batch) {
	be.PutUint64(batch[baseOffsetOffset:], uint64(b.baseOffset))
	be.PutUint32(batch[lengthOffset:], uint32(len(batch)-LogOverhead))
	be.PutUint32(batch[partitionLeaderEpochOffset:], uint32(b.leaderEpoch))
	batch[magicOffset] = Magic
	be.PutUint16(batch[attributesOffset:], uint16(b.attrs))
	be.PutUint32(batch[lastOffsetDeltaOffset:], uint32(b.count-1))
	be.PutUint64(batch[baseTimestampOffset:], uint64(b.baseTimestamp))
	be.PutUint64(batch[maxTimestampOffset:], uint64(b.maxTimestamp))
	be.PutUint64(batch[producerIDOffset:], uint64(b.producerID))
	be.PutUint16(batch[producerEpochOffset:], uint16(b.producerEpoch))
	be.PutUint32(batch[baseSequenceOffset:], uint32(b.baseSequence))
	be.PutUint32(batch[recordCountOffset:], uint32(b.count))
	be.PutUint32(batch[crcOffset:], batch.ComputeCRC())
}
