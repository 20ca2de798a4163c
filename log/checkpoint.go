package log

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/commitlog-go/commitlog/internal/checkpoint"
	"github.com/commitlog-go/commitlog/vfs"
)

// recoveryPointFile holds the log's recovery point: every record below it
// was on stable storage when the file was written. An unclean Open reads
// only the segments from the one holding it, and trusts the rest.
//
// Its layout is internal/checkpoint's: a version line and one offset. It
// is rewritten, crash-safely, by the flusher after a background flush, by
// Close, and whenever a truncation lowers the recovery point.
const recoveryPointFile = "recovery-point-offset-checkpoint"

// writeOffsetCheckpoint writes one offset to the named checkpoint file.
func writeOffsetCheckpoint(fsys vfs.FS, dir, name string, offset int64) error {
	return checkpoint.WriteOffset(fsys, filepath.Join(dir, name), offset)
}

// readOffsetCheckpoint reads the named checkpoint file. A file that is
// missing returns ok false and no error; one that does not parse returns
// ok false and an error wrapping ErrBadCheckpoint, which callers treat as
// absent.
func readOffsetCheckpoint(fsys vfs.FS, dir, name string) (offset int64, ok bool, err error) {
	offset, ok, err = checkpoint.ReadOffset(fsys, filepath.Join(dir, name))
	switch {
	case errors.Is(err, checkpoint.ErrMalformed):
		return 0, false, fmt.Errorf("%w: %w", ErrBadCheckpoint, err)
	case err != nil:
		return 0, false, fmt.Errorf("log: %w", err)
	}
	return offset, ok, nil
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
