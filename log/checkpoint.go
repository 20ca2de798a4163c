package log

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/commitlog-go/commitlog/vfs"
)

// recoveryPointFile holds the log's recovery point: every record below it
// was on stable storage when the file was written. An unclean Open reads
// only the segments from the one holding it, and trusts the rest.
//
//	0\n          version
//	<offset>\n   decimal, canonical (no sign, no leading zeros)
//
// It is rewritten, crash-safely (temporary file, fsync, rename, fsync of
// the directory), by the flusher after a background flush, by Close, and
// whenever a truncation lowers the recovery point.
const recoveryPointFile = "recovery-point-offset-checkpoint"

// maxOffsetCheckpointSize bounds the file read: a version, an offset and
// two newlines.
const maxOffsetCheckpointSize = 64

// writeOffsetCheckpoint writes one offset to the named checkpoint file.
func writeOffsetCheckpoint(fsys vfs.FS, dir, name string, offset int64) error {
	return vfs.WriteFileAtomic(fsys, filepath.Join(dir, name), fmt.Appendf(nil, "0\n%d\n", offset))
}

// readOffsetCheckpoint reads the named checkpoint file. A file that is
// missing returns ok false and no error; one that does not parse returns
// ok false and an error wrapping ErrBadCheckpoint, which callers treat as
// absent.
func readOffsetCheckpoint(fsys vfs.FS, dir, name string) (offset int64, ok bool, err error) {
	path := filepath.Join(dir, name)
	data, err := vfs.ReadFile(fsys, path, maxOffsetCheckpointSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, false, nil
	case errors.Is(err, vfs.ErrFileTooLarge):
		return 0, false, fmt.Errorf("%w: %s: larger than %d bytes", ErrBadCheckpoint, path, maxOffsetCheckpointSize)
	case err != nil:
		return 0, false, fmt.Errorf("log: %w", err)
	}
	lines := bytes.Split(data, []byte("\n"))
	// A whole file is "0", the offset, and the empty rest after the last
	// newline.
	if len(lines) != 3 || string(lines[0]) != "0" || len(lines[2]) != 0 {
		return 0, false, fmt.Errorf("%w: %s", ErrBadCheckpoint, path)
	}
	offset, valid := parseCanonicalInt(lines[1], 63)
	if !valid || offset < 0 {
		return 0, false, fmt.Errorf("%w: %s: offset %q", ErrBadCheckpoint, path, lines[1])
	}
	return offset, true, nil
}

// checkpoint writes the recovery point to its file if it changed since the
// last write. It runs in the flusher after background flushes, in Close,
// and after truncations; ckptMu keeps two writers off the temporary file.
func (f *flusher) checkpoint() error {
	f.ckptMu.Lock()
	defer f.ckptMu.Unlock()
	rp := f.recoveryPoint.Load()
	if rp == f.checkpointed {
		return nil
	}
	if err := writeOffsetCheckpoint(f.log.opts.FS, f.log.dir, recoveryPointFile, rp); err != nil {
		return err
	}
	f.checkpointed = rp
	return nil
}
