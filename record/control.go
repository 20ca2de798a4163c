package record

import "fmt"

// ControlType is the kind of a control record, read from its key. Control
// records live in batches whose attributes have the control bit set; the
// transaction markers COMMIT and ABORT are the common ones.
//
// A control record's key is 4 bytes, big-endian:
//
//	offset size field
//	     0    2 version  0 (later versions may add fields after type)
//	     2    2 type     a ControlType
type ControlType int16

// The control record types Kafka defines. These values are part of the
// format and must not change.
const (
	ControlAbort          ControlType = 0
	ControlCommit         ControlType = 1
	ControlLeaderChange   ControlType = 2
	ControlSnapshotHeader ControlType = 3
	ControlSnapshotFooter ControlType = 4
	ControlKRaftVersion   ControlType = 5
	ControlKRaftVoters    ControlType = 6
	// ControlUnknown is returned for a type this package does not know;
	// readers should skip such records.
	ControlUnknown ControlType = -1
)

const controlKeySize = 4

// String names the type, for example "COMMIT".
func (t ControlType) String() string {
	switch t {
	case ControlAbort:
		return "ABORT"
	case ControlCommit:
		return "COMMIT"
	case ControlLeaderChange:
		return "LEADER_CHANGE"
	case ControlSnapshotHeader:
		return "SNAPSHOT_HEADER"
	case ControlSnapshotFooter:
		return "SNAPSHOT_FOOTER"
	case ControlKRaftVersion:
		return "KRAFT_VERSION"
	case ControlKRaftVoters:
		return "KRAFT_VOTERS"
	}
	return fmt.Sprintf("UNKNOWN(%d)", int16(t))
}

// ParseControlKey reads the type from a control record's key. A key shorter
// than 4 bytes or with a negative version is an error wrapping ErrCorrupt; a
// newer version is read as version 0, whose fields it extends; a type this
// package does not know is ControlUnknown.
func ParseControlKey(key []byte) (ControlType, error) {
	if len(key) < controlKeySize {
		return ControlUnknown, fmt.Errorf("%w: control record key of %d bytes", ErrCorrupt, len(key))
	}
	if v := int16(be.Uint16(key)); v < 0 {
		return ControlUnknown, fmt.Errorf("%w: control record key version %d", ErrCorrupt, v)
	}
	t := ControlType(int16(be.Uint16(key[2:])))
	if t < ControlAbort || t > ControlKRaftVoters {
		return ControlUnknown, nil
	}
	return t, nil
}

// AppendControlKey appends the key of a control record of type t.
func AppendControlKey(dst []byte, t ControlType) []byte {
	return be.AppendUint16(be.AppendUint16(dst, 0), uint16(t))
}
