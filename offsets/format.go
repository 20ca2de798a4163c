package offsets

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
	keyVersion   = 1
	valueVersion = 3

	// valueFixed is the size of a value without its metadata.
	valueFixed = 2 + 8 + 4 + 2 + 8
)

// MaxMetadata is the longest metadata string a commit may carry: Kafka's
// offset.metadata.max.bytes default.
const MaxMetadata = 4096

// errBadRecord is wrapped by the errors of records of the offsets log
// that do not decode.
var errBadRecord = errors.New("malformed committed-offset record")

// key identifies one committed offset.
type key struct {
	group, topic string
	partition    int32
}

// appendKey appends the encoding of k. Its strings must fit in an
// int16 length, which Commit checks.
func appendKey(dst []byte, k key) []byte {
	dst = binary.BigEndian.AppendUint16(dst, keyVersion)
	dst = appendShortString(dst, k.group)
	dst = appendShortString(dst, k.topic)
	return binary.BigEndian.AppendUint32(dst, uint32(k.partition))
}

// appendValue appends the encoding of c.
func appendValue(dst []byte, c Committed) []byte {
	dst = binary.BigEndian.AppendUint16(dst, valueVersion)
	dst = binary.BigEndian.AppendUint64(dst, uint64(c.Offset))
	dst = binary.BigEndian.AppendUint32(dst, math.MaxUint32) // leader epoch -1: none
	dst = appendShortString(dst, c.Metadata)
	return binary.BigEndian.AppendUint64(dst, uint64(c.Time.UnixMilli()))
}

func appendShortString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(s)))
	return append(dst, s...)
}

// parseKey decodes a key written by appendKey.
func parseKey(b []byte) (key, error) {
	var k key
	if len(b) < 2 || binary.BigEndian.Uint16(b) != keyVersion {
		return k, fmt.Errorf("%w: key version", errBadRecord)
	}
	b = b[2:]
	var ok bool
	if k.group, b, ok = cutShortString(b); !ok {
		return k, fmt.Errorf("%w: key group", errBadRecord)
	}
	if k.topic, b, ok = cutShortString(b); !ok {
		return k, fmt.Errorf("%w: key topic", errBadRecord)
	}
	if len(b) != 4 {
		return k, fmt.Errorf("%w: key partition", errBadRecord)
	}
	k.partition = int32(binary.BigEndian.Uint32(b))
	return k, nil
}

// parseValue decodes a value written by appendValue; the commit time
// comes back in milliseconds.
func parseValue(b []byte) (offset int64, metadata string, timeMs int64, err error) {
	if len(b) < valueFixed || binary.BigEndian.Uint16(b) != valueVersion {
		return 0, "", 0, fmt.Errorf("%w: value version or size", errBadRecord)
	}
	offset = int64(binary.BigEndian.Uint64(b[2:]))
	rest, ok := b[2+8+4:], false
	if metadata, rest, ok = cutShortString(rest); !ok || len(rest) != 8 {
		return 0, "", 0, fmt.Errorf("%w: value metadata", errBadRecord)
	}
	if offset < 0 {
		return 0, "", 0, fmt.Errorf("%w: negative offset %d", errBadRecord, offset)
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
