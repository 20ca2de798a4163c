package segment

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// The files of a segment share a name: the segment's base offset, as 20
// decimal digits, zero-padded. Every record of the segment has an offset
// at or above it and at most math.MaxInt32 past it; the first record's is
// the base offset itself, unless the segment begins with a gap (a
// follower's copy of a log with one). Sorting the names sorts the
// segments.
//
//	00000000000000368769.log        the batches
//	00000000000000368769.index      offset -> position, sparse
//	00000000000000368769.timeindex  timestamp -> offset, sparse
const (
	// LogExt names the file of batches.
	LogExt = ".log"
	// IndexExt names the offset index.
	IndexExt = ".index"
	// TimeIndexExt names the time index.
	TimeIndexExt = ".timeindex"

	nameDigits = 20
)

// FileName returns the name of a segment file: the base offset as 20 digits
// followed by ext, for example "00000000000000000042.log".
func FileName(base int64, ext string) string {
	return fmt.Sprintf("%0*d%s", nameDigits, base, ext)
}

// Path joins dir and FileName(base, ext).
func Path(dir string, base int64, ext string) string {
	return filepath.Join(dir, FileName(base, ext))
}

// ParseFileName splits a segment file name into its base offset and the
// rest of the name (".log", ".index", ".log.deleted", ...). It reports false
// for a name that does not start with 20 digits and a dot.
func ParseFileName(name string) (base int64, ext string, ok bool) {
	if len(name) <= nameDigits || name[nameDigits] != '.' {
		return 0, "", false
	}
	digits := name[:nameDigits]
	if strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, "", false
	}
	base, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return base, name[nameDigits:], true
}
