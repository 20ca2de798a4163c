package record

import (
	"strings"

	"github.com/commitlog-go/commitlog/compress"
)

// Attributes is the 16-bit flags field of a batch header.
//
//	bit  15 ........ 7   6              5        4              3           2 1 0
//	     unused (zero)   delete horizon control  transactional  timestamp   codec
//	                                                            type
//
// These bit positions are part of the format and must not change.
type Attributes uint16

const (
	codecMask          Attributes = 0x07
	logAppendTimeFlag  Attributes = 1 << 3
	transactionalFlag  Attributes = 1 << 4
	controlFlag        Attributes = 1 << 5
	deleteHorizonFlag  Attributes = 1 << 6
	knownAttributeBits            = codecMask | logAppendTimeFlag | transactionalFlag | controlFlag | deleteHorizonFlag
)

// TimestampType says where a batch's timestamps come from.
type TimestampType int8

const (
	// CreateTime timestamps were set by the producer, one per record.
	CreateTime TimestampType = 0
	// LogAppendTime means the log stamped the batch when it appended it:
	// every record's timestamp reads as the batch's MaxTimestamp.
	LogAppendTime TimestampType = 1
)

// String returns "CreateTime" or "LogAppendTime".
func (t TimestampType) String() string {
	if t == LogAppendTime {
		return "LogAppendTime"
	}
	return "CreateTime"
}

// Codec is the compression codec of the records section.
func (a Attributes) Codec() compress.Codec { return compress.Codec(a & codecMask) }

// TimestampType is CreateTime or LogAppendTime.
func (a Attributes) TimestampType() TimestampType {
	if a&logAppendTimeFlag != 0 {
		return LogAppendTime
	}
	return CreateTime
}

// Transactional reports whether the batch belongs to a transaction.
func (a Attributes) Transactional() bool { return a&transactionalFlag != 0 }

// Control reports whether the batch holds control records (transaction
// markers) rather than data.
func (a Attributes) Control() bool { return a&controlFlag != 0 }

// HasDeleteHorizon reports whether BaseTimestamp holds the time after which
// a compacted log may drop the batch's tombstones, rather than a record
// timestamp.
func (a Attributes) HasDeleteHorizon() bool { return a&deleteHorizonFlag != 0 }

// WithCodec returns a with its codec bits set to c.
func (a Attributes) WithCodec(c compress.Codec) Attributes {
	return a&^codecMask | Attributes(c)&codecMask
}

// String lists the attributes, for example "zstd|LogAppendTime|transactional".
func (a Attributes) String() string {
	parts := []string{a.Codec().String()}
	if a.TimestampType() == LogAppendTime {
		parts = append(parts, "LogAppendTime")
	}
	if a.Transactional() {
		parts = append(parts, "transactional")
	}
	if a.Control() {
		parts = append(parts, "control")
	}
	if a.HasDeleteHorizon() {
		parts = append(parts, "deleteHorizon")
	}
	return strings.Join(parts, "|")
}

func setFlag(a Attributes, flag Attributes, on bool) Attributes {
	if on {
		return a | flag
	}
	return a &^ flag
}
