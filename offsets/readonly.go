package offsets

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/commitlog-go/commitlog/vfs"
)

// A read-only store reads its log through log.Options.ReadOnly (no lock,
// no file changed, recovery in memory), keeps what it read in memory and
// closes the log: nothing a writer does afterwards, compactions included,
// can fail a read.
//
// Open can race a compaction of the writer, which rolls a segment, writes
// the live offsets into it, checkpoints the new log start and deletes the
// segments before it. The read-only log sees to that: it reads the log
// again when the segments changed while it read them, so that the log it
// returns is one the writer had, and fails with an error wrapping
// log.ErrChangedWhileOpening when they changed under every read. Once
// opened it shows its files as they were, whatever the writer deletes
// afterwards, so that the replay reads that same log.

// openReadOnly opens and replays the store's log read-only. A directory
// that is missing when the log cannot be opened, as it is before the
// first commit, or after a writer removed it meanwhile, is a store with
// no commits.
func (s *Store) openReadOnly(opts Options) error {
	err := s.open(opts)
	if err != nil && dirMissing(opts.FS, s.dir) {
		s.state, s.readStats = make(map[key]Committed), Stats{}
		return nil
	}
	return err
}

// dirMissing reports whether dir does not exist on fsys.
func dirMissing(fsys vfs.FS, dir string) bool {
	_, err := fsys.Stat(dir)
	return errors.Is(err, fs.ErrNotExist)
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
