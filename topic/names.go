package topic

import "fmt"

// MaxNameLength is the longest topic name, Kafka's limit: a partition's
// directory name, the topic name plus "-" and the partition number, must
// fit in 255 bytes.
const MaxNameLength = 249

// ValidateName checks a topic name against Kafka's rules: one to 249
// characters from [a-zA-Z0-9._-], and not "." or "..". Since a name
// becomes part of file names, these rules also keep it from naming
// anything outside the registry's directory. The error is a *NameError.
func ValidateName(name string) error {
	switch {
	case name == "":
		return &NameError{Name: name, Reason: "empty"}
	case name == "." || name == "..":
		return &NameError{Name: name, Reason: "reserved"}
	case len(name) > MaxNameLength:
		return &NameError{Name: name, Reason: fmt.Sprintf("longer than %d characters", MaxNameLength)}
	}
	for i := 0; i < len(name); i++ {
		if !validNameByte(name[i]) {
			return &NameError{Name: name, Reason: fmt.Sprintf("character %q at %d is not one of [a-zA-Z0-9._-]", name[i], i)}
		}
	}
	return nil
}

func validNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}
