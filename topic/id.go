package topic

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// ID identifies one incarnation of a topic, as Kafka's topic IDs do: Create
// gives every topic a new random ID, kept in its metadata file for as long
// as the topic exists, and a topic deleted and created again under the same
// name gets another. State kept by topic name elsewhere (committed offsets,
// say) stores the ID beside the name to tell the new topic from the old.
//
// The zero ID means none: that of a topic whose metadata was written before
// topics had IDs, opened read-only (a writable Open gives it one).
type ID [16]byte

// idEncoding is Kafka's text form of a Uuid: URL-safe base64 without
// padding, 22 characters for 16 bytes. Strict, so that each ID has one
// text form.
var idEncoding = base64.RawURLEncoding.Strict()

// idTextLen is the length of an ID's text form.
const idTextLen = 22

// newID returns a random ID as Kafka makes one: a version 4 UUID (122
// random bits), never zero, and never one whose text starts with '-', so
// that it cannot pass for a flag on a command line.
func newID() ID {
	for {
		var id ID
		rand.Read(id[:])          // crypto/rand's Read never fails
		id[6] = id[6]&0x0f | 0x40 // version 4
		id[8] = id[8]&0x3f | 0x80 // the variant of RFC 9562
		if !strings.HasPrefix(id.String(), "-") {
			return id
		}
	}
}

// IsZero reports whether id is the zero ID, which names no topic.
func (id ID) IsZero() bool { return id == ID{} }

// String returns id in Kafka's text form (Uuid.toString): its 16 bytes in
// URL-safe base64 without padding, 22 characters. The zero ID is
// "AAAAAAAAAAAAAAAAAAAAAA".
func (id ID) String() string { return idEncoding.EncodeToString(id[:]) }

// MarshalText returns id's text form (see String).
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText sets id from its text form, as ParseID reads it.
func (id *ID) UnmarshalText(text []byte) error {
	parsed, err := ParseID(string(text))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// ParseID parses the text form of an ID (see ID.String), as Kafka's
// Uuid.fromString does: 22 characters of URL-safe base64, or 24 with the
// "==" padding. The error wraps ErrInvalidID.
func ParseID(s string) (ID, error) {
	text := s
	if len(text) == idTextLen+2 && strings.HasSuffix(text, "==") {
		text = text[:idTextLen]
	}
	var id ID
	if len(text) != idTextLen {
		return ID{}, errorf(ErrInvalidID, "topic: invalid topic ID %.40q: %d characters, want %d", s, len(s), idTextLen)
	}
	// Go's decoder skips newlines, so a string of the right length may
	// still hold fewer than 16 bytes.
	n, err := idEncoding.Decode(id[:], []byte(text))
	if err != nil || n != len(id) {
		return ID{}, errorf(ErrInvalidID, "topic: invalid topic ID %q: not 16 bytes of URL-safe base64", s)
	}
	return id, nil
}
