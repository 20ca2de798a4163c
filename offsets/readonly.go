package offsets

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// A read-only store reads its log through log.Options.ReadOnly (no lock,
// no file changed, recovery in memory), keeps what it read in memory and
// closes the log: nothing a writer does afterwards, compactions included,
// can fail a read.
//
// Open can race a compaction of the writer, which rolls a segment, writes
// the live offsets into it, checkpoints the new log start and deletes the
// segments before it. A read-only log that lists the directory before the
// roll and reads the checkpoint after it, or opens a segment after its
// deletion, shows less than the log holds, even nothing, and it may or may
// not fail: it reads as it goes, and takes a missing file for an empty one
// in places. So Open lists the segments before the log is opened and again
// once it is read, and reads it again when they differ (a compaction, or
// a segment rolled for size, ran meanwhile) or when reading failed for a
// missing file. An unchanged list of segments means no roll and no
// deletion overlapped the read, and the log read is one the writer had.

// readOnlyAttempts bounds how many times a read-only Open reads the log.
// A compaction takes a moment, at most every Options.CompactBytes of
// commits, so a second read almost always finds the segments still; a
// directory that changes under every read is reported.
const readOnlyAttempts = 8

// openReadOnly opens and replays the store's log read-only. A missing
// directory is a store with no commits.
func (s *Store) openReadOnly(opts Options) error {
	for attempt := 1; ; attempt++ {
		before, err := segmentNames(opts.FS, s.dir)
		if errors.Is(err, fs.ErrNotExist) {
			s.state, s.readStats = make(map[key]Committed), Stats{}
			return nil
		}
		if err != nil {
			return err
		}
		err = s.open(opts)
		// A directory gone since is a change too: the next attempt
		// finds it missing.
		after, lerr := segmentNames(opts.FS, s.dir)
		stable := lerr == nil && slices.Equal(before, after)
		switch {
		case stable && !errors.Is(err, fs.ErrNotExist):
			return err
		case lerr != nil && !errors.Is(lerr, fs.ErrNotExist):
			return errors.Join(err, lerr)
		case err == nil:
			err = fmt.Errorf("offsets: the segments of %s changed while read", s.dir)
		}
		if attempt == readOnlyAttempts {
			return fmt.Errorf("offsets: reading %s read-only, %d times: %w", s.dir, attempt, err)
		}
		s.logger.Debug("offsets changed while read: reading again", "dir", s.dir, "attempt", attempt, "err", err)
	}
}

// segmentNames returns the names of the log's segment files in dir,
// sorted.
func segmentNames(fsys vfs.FS, dir string) ([]string, error) {
	names, err := fsys.List(dir)
	if err != nil {
		return nil, fmt.Errorf("offsets: listing %s: %w", dir, err)
	}
	names = slices.DeleteFunc(names, func(name string) bool { return !strings.HasSuffix(name, segment.LogExt) })
	slices.Sort(names)
	return names, nil
}

// refuseReadOnly returns, for a read-only store, the error of op, a change
// it cannot make: ErrClosed once the store is closed, as for a writable
// one, and otherwise an error wrapping ErrReadOnly. It returns nil for a
// writable store.
func (s *Store) refuseReadOnly(op string) error {
	if !s.readOnly {
		return nil
	}
	s.cmu.Lock()
	closed := s.closed
	s.cmu.Unlock()
	if closed {
		return ErrClosed
	}
	return fmt.Errorf("offsets: cannot %s: %s is open read-only: %w", op, s.dir, ErrReadOnly)
}
