package record

import "encoding/binary"

// A RecordBatch v2, as Kafka writes it on disk and on the wire. Every integer
// is big-endian. These constants are part of the format and must not change.
//
//	offset size field                 notes
//	     0    8 BaseOffset            offset of the first record      \
//	     8    4 Length                bytes that follow this field    | outside
//	    12    4 PartitionLeaderEpoch  stamped by the leader           | the CRC
//	    16    1 Magic                 2                               |
//	    17    4 CRC                   CRC-32C of bytes [21, end)      /
//	    21    2 Attributes            codec, timestamp type, flags    \
//	    23    4 LastOffsetDelta       last offset - BaseOffset        |
//	    27    8 BaseTimestamp         first record's timestamp (ms)   |
//	    35    8 MaxTimestamp          largest record timestamp (ms)   |
//	    43    8 ProducerId            -1 without idempotence          | inside
//	    51    2 ProducerEpoch         -1 without idempotence          | the CRC
//	    53    4 BaseSequence          -1 without idempotence          |
//	    57    4 RecordCount           never compressed                |
//	    61    . Records               one stream, compressed or not   /
//
// BaseOffset and PartitionLeaderEpoch lie outside the CRC, so a leader can
// stamp them without recomputing the checksum. A batch occupies 12 + Length
// bytes. Records are laid out in record.go.
const (
	baseOffsetOffset           = 0
	lengthOffset               = 8
	partitionLeaderEpochOffset = 12
	magicOffset                = 16
	crcOffset                  = 17
	attributesOffset           = 21
	lastOffsetDeltaOffset      = 23
	baseTimestampOffset        = 27
	maxTimestampOffset         = 35
	producerIDOffset           = 43
	producerEpochOffset        = 51
	baseSequenceOffset         = 53
	recordCountOffset          = 57
	recordsOffset              = 61

	// LogOverhead is the size of the BaseOffset and Length fields, which
	// precede the bytes that Length counts.
	LogOverhead = 12
	// HeaderSize is the size of a batch with no records.
	HeaderSize = recordsOffset
	// Magic is the format version this package reads and writes.
	Magic = 2
)

// Values that mean "none" in the batch header.
const (
	// NoProducerID marks a batch written without an idempotent producer.
	NoProducerID int64 = -1
	// NoProducerEpoch goes with NoProducerID.
	NoProducerEpoch int16 = -1
	// NoSequence marks a batch without producer sequence numbers.
	NoSequence int32 = -1
	// NoTimestamp is the timestamp of an empty batch.
	NoTimestamp int64 = -1
	// NoPartitionLeaderEpoch is the epoch of a batch no leader has stamped.
	NoPartitionLeaderEpoch int32 = -1
)

// Batch is a view of one encoded RecordBatch v2: the bytes themselves, not a
// copy. The accessors read the header fields in place.
//
// A Batch obtained from [Parse], a [Scanner] or a [Builder] holds at least
// HeaderSize bytes and exactly the bytes its Length field declares; the
// accessors may panic on a shorter slice, so check foreign bytes with
// [Parse] first.
type Batch []byte

// BaseOffset is the offset of the batch's first record.
func (b Batch) BaseOffset() int64 { return int64(be.Uint64(b[baseOffsetOffset:])) }

// Length is the Length field: the batch's size less [LogOverhead].
func (b Batch) Length() int32 { return int32(be.Uint32(b[lengthOffset:])) }

// Size is the batch's size in bytes as its Length field declares it.
func (b Batch) Size() int { return LogOverhead + int(b.Length()) }

// PartitionLeaderEpoch is the epoch of the leader that appended the batch.
func (b Batch) PartitionLeaderEpoch() int32 {
	return int32(be.Uint32(b[partitionLeaderEpochOffset:]))
}

// Magic is the format version byte; 2 for every batch this package accepts.
func (b Batch) Magic() int8 { return int8(b[magicOffset]) }

// CRC is the stored CRC-32C of bytes [21, end).
func (b Batch) CRC() uint32 { return be.Uint32(b[crcOffset:]) }

// Attributes are the batch's flags: codec, timestamp type, transactional,
// control.
func (b Batch) Attributes() Attributes { return Attributes(be.Uint16(b[attributesOffset:])) }

// LastOffsetDelta is the last record's offset less BaseOffset. It is -1 in
// a batch built with no records.
func (b Batch) LastOffsetDelta() int32 { return int32(be.Uint32(b[lastOffsetDeltaOffset:])) }

// LastOffset is the offset of the batch's last record.
func (b Batch) LastOffset() int64 { return b.BaseOffset() + int64(b.LastOffsetDelta()) }

// NextOffset is the offset that follows the batch.
func (b Batch) NextOffset() int64 { return b.LastOffset() + 1 }

// BaseTimestamp is the first record's timestamp, in milliseconds since the
// Unix epoch; record timestamps are stored as deltas from it.
func (b Batch) BaseTimestamp() int64 { return int64(be.Uint64(b[baseTimestampOffset:])) }

// MaxTimestamp is the largest record timestamp, or the append time when the
// attributes say LogAppendTime.
func (b Batch) MaxTimestamp() int64 { return int64(be.Uint64(b[maxTimestampOffset:])) }

// ProducerID is the idempotent producer's id, or NoProducerID.
func (b Batch) ProducerID() int64 { return int64(be.Uint64(b[producerIDOffset:])) }

// ProducerEpoch is the idempotent producer's epoch, or NoProducerEpoch.
func (b Batch) ProducerEpoch() int16 { return int16(be.Uint16(b[producerEpochOffset:])) }

// BaseSequence is the first record's producer sequence number, or NoSequence.
func (b Batch) BaseSequence() int32 { return int32(be.Uint32(b[baseSequenceOffset:])) }

// RecordCount is the number of records the batch says it holds.
func (b Batch) RecordCount() int32 { return int32(be.Uint32(b[recordCountOffset:])) }

// RecordsSection is the encoded records: compressed as one stream when
// Attributes().Codec() is not compress.None.
func (b Batch) RecordsSection() []byte { return b[recordsOffset:b.Size()] }

// SetBaseOffset rewrites the base offset in place. The CRC does not cover it.
func (b Batch) SetBaseOffset(offset int64) { be.PutUint64(b[baseOffsetOffset:], uint64(offset)) }

// SetPartitionLeaderEpoch rewrites the leader epoch in place. The CRC does
// not cover it.
func (b Batch) SetPartitionLeaderEpoch(epoch int32) {
	be.PutUint32(b[partitionLeaderEpochOffset:], uint32(epoch))
}

// ComputeCRC computes the CRC-32C that the batch's CRC field should hold.
func (b Batch) ComputeCRC() uint32 { return checksum(b[attributesOffset:b.Size()]) }

var be = binary.BigEndian
