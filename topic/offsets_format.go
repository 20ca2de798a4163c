package topic

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Committed offsets are kept as records of an internal log, in the layouts
// Kafka's group coordinator writes to __consumer_offsets, so that a Kafka
// decoder can read them:
//
//	key (OffsetCommitKey, version 1)
//	+---------+-----------+-------+-----------+-------+-----------+
//	| version | group len | group | topic len | topic | partition |
//	| int16=1 | int16     | bytes | int16     | bytes | int32     |
//	+---------+-----------+-------+-----------+-------+-----------+
//
//	value (OffsetCommitValue, version 3); none (a tombstone) deletes the key
//	+---------+--------+--------------+--------------+----------+-------------+
//	| version | offset | leader epoch | metadata len | metadata | commit time |
//	| int16=3 | int64  | int32 (-1)   | int16        | bytes    | int64 (ms)  |
//	+---------+--------+--------------+--------------+----------+-------------+
//
// Every integer is big-endian. These layouts are part of the on-disk
// format and must not change.
const (
	offsetKeyVersion   = 1
	offsetValueVersion = 3

	// offsetValueFixed is the size of a value without its metadata.
	offsetValueFixed = 2 + 8 + 4 + 2 + 8
)

// MaxOffsetMetadata is the longest metadata string a commit may carry:
// Kafka's offset.metadata.max.bytes default.
const MaxOffsetMetadata = 4096

// errBadOffsetRecord is wrapped by the errors of records of the offsets
// log that do not decode.
var errBadOffsetRecord = errors.New("malformed committed-offset record")

// offsetKey identifies one committed offset.
type offsetKey struct {
	group, topic string
	partition    int32
}

// appendOffsetKey appends the encoding of k. Its strings must fit in an
// int16 length, which commit checks.
func appendOffsetKey(dst []byte, k offsetKey) []byte {
	dst = binary.BigEndian.AppendUint16(dst, offsetKeyVersion)
	dst = appendShortString(dst, k.group)
	dst = appendShortString(dst, k.topic)
	return binary.BigEndian.AppendUint32(dst, uint32(k.partition))
}

// appendOffsetValue appends the encoding of c.
func appendOffsetValue(dst []byte, c CommittedOffset) []byte {
	dst = binary.BigEndian.AppendUint16(dst, offsetValueVersion)
	dst = binary.BigEndian.AppendUint64(dst, uint64(c.Offset))
	dst = binary.BigEndian.AppendUint32(dst, math.MaxUint32) // leader epoch -1: none
	dst = appendShortString(dst, c.Metadata)
	return binary.BigEndian.AppendUint64(dst, uint64(c.Time.UnixMilli()))
}

func appendShortString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(s)))
	return append(dst, s...)
}

// parseOffsetKey decodes a key written by appendOffsetKey.
func parseOffsetKey(b []byte) (offsetKey, error) {
	var k offsetKey
	if len(b) < 2 || binary.BigEndian.Uint16(b) != offsetKeyVersion {
		return k, fmt.Errorf("%w: key version", errBadOffsetRecord)
	}
	b = b[2:]
	var ok bool
	if k.group, b, ok = cutShortString(b); !ok {
		return k, fmt.Errorf("%w: key group", errBadOffsetRecord)
	}
	if k.topic, b, ok = cutShortString(b); !ok {
		return k, fmt.Errorf("%w: key topic", errBadOffsetRecord)
	}
	if len(b) != 4 {
		return k, fmt.Errorf("%w: key partition", errBadOffsetRecord)
	}
	k.partition = int32(binary.BigEndian.Uint32(b))
	return k, nil
}

// parseOffsetValue decodes a value written by appendOffsetValue; the
// commit time comes back in milliseconds.
func parseOffsetValue(b []byte) (offset int64, metadata string, timeMs int64, err error) {
	if len(b) < offsetValueFixed || binary.BigEndian.Uint16(b) != offsetValueVersion {
		return 0, "", 0, fmt.Errorf("%w: value version or size", errBadOffsetRecord)
	}
	offset = int64(binary.BigEndian.Uint64(b[2:]))
	rest, ok := b[2+8+4:], false
	if metadata, rest, ok = cutShortString(rest); !ok || len(rest) != 8 {
		return 0, "", 0, fmt.Errorf("%w: value metadata", errBadOffsetRecord)
	}
	if offset < 0 {
		return 0, "", 0, fmt.Errorf("%w: negative offset %d", errBadOffsetRecord, offset)
	}
	return offset, metadata, int64(binary.BigEndian.Uint64(rest)), nil
}

// cutShortString splits an int16-length-prefixed string off b.
func cutShortString(b []byte) (string, []byte, bool) {
	if len(b) < 2 {
		return "", nil, false
	}
	n := int(int16(binary.BigEndian.Uint16(b)))
	if n < 0 || len(b)-2 < n {
		return "", nil, false
	}
	return string(b[2 : 2+n]), b[2+n:], true
}

// maxShortString is the longest string an int16 length can carry.
const maxShortString = math.MaxInt16
