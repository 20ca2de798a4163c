package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	"github.com/commitlog-go/commitlog/vfs"
)

// ErrMalformed is wrapped by ReadOffset's error for a file that is not an
// offset checkpoint: too large, a wrong version, a number that is not
// canonical or out of range.
var ErrMalformed = errors.New("malformed checkpoint")

// maxOffsetFileSize bounds the read: a version, an offset and two
// newlines.
const maxOffsetFileSize = 64

// WriteOffset writes offset to the checkpoint file at path, crash-safely.
func WriteOffset(fsys vfs.FS, path string, offset int64) error {
	return vfs.WriteFileAtomic(fsys, path, fmt.Appendf(nil, "0\n%d\n", offset))
}

// ReadOffset reads the checkpoint file at path. A missing file returns ok
// false and no error; one that does not parse returns ok false and an
// error wrapping ErrMalformed; a failed read returns the file system's
// error.
func ReadOffset(fsys vfs.FS, path string) (offset int64, ok bool, err error) {
	data, err := vfs.ReadFile(fsys, path, maxOffsetFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, false, nil
	case errors.Is(err, vfs.ErrFileTooLarge):
		return 0, false, fmt.Errorf("%w: %s: larger than %d bytes", ErrMalformed, path, maxOffsetFileSize)
	case err != nil:
		return 0, false, err
	}
	lines := bytes.Split(data, []byte("\n"))
	// A whole file is "0", the offset, and the empty rest after the last
	// newline.
	if len(lines) != 3 || string(lines[0]) != "0" || len(lines[2]) != 0 {
		return 0, false, fmt.Errorf("%w: %s", ErrMalformed, path)
	}
	offset, valid := ParseCanonical(lines[1], 63)
	if !valid {
		return 0, false, fmt.Errorf("%w: %s: offset %q", ErrMalformed, path, lines[1])
	}
	return offset, true, nil
}

// ParseCanonical parses b as a non-negative decimal number below 1<<bits,
// in canonical form only: ASCII digits, no sign, no leading zero unless
// the number is 0. bits is at most 63.
func ParseCanonical(b []byte, bits uint) (int64, bool) {
	if len(b) == 0 || len(b) > 19 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0') // 19 digits cannot overflow a uint64
	}
	if v >= 1<<bits {
		return 0, false
	}
	return int64(v), true
}
