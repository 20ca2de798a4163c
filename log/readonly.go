package log

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// A log opened with Options.ReadOnly runs the Open of a writable log, over
// a view of its file system that takes every change in memory and never
// passes one on (readOnlyFS below). Recovery finds the valid end of the log
// and "cuts" the torn tail in the view, indexes are rebuilt in it, leftovers
// are "removed" from it, and the files on disk stay as they were, byte for
// byte. The calls that would change the log refuse with ErrReadOnly (see
// Log.usable), before they change even the view; the flusher and the
// retention loop do not run.
//
// Reading through a view, rather than teaching each layer a read-only
// mode, keeps one code path for both: whatever Open would write for a
// writable log cannot reach the disk for a read-only one, including what
// a later change to recovery or the indexes may come to write.

// openDir readies dir for Open. A writable log's directory is created if
// missing. A read-only log's must exist; the options then get the view of
// the file system that keeps the log's writes in memory, and the Closer
// returned lets go of the base files the view holds (see readOnlyFS.Close):
// the Log closes it last, as it does a directory lock.
func openDir(opts *Options, dir string) (io.Closer, error) {
	if !opts.ReadOnly {
		return noLock{}, vfs.MkdirAllSynced(opts.FS, dir)
	}
	if err := checkReadOnlyDir(opts.FS, dir); err != nil {
		return nil, err
	}
	view := newReadOnlyFS(opts.FS)
	opts.FS = view
	return view, nil
}

// checkReadOnlyDir returns an error if dir is not a directory on fsys.
func checkReadOnlyDir(fsys vfs.FS, dir string) error {
	info, err := fsys.Stat(dir)
	if err != nil {
		return fmt.Errorf("log: opening %s read-only: %w", dir, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("log: opening %s read-only: not a directory", dir)
	}
	return nil
}

// readOnlyAttempts bounds how many times a read-only Open reads the log.
// A roll or a deletion takes a moment, so a second read almost always
// finds the segments still; a directory that changes under every read is
// reported (ErrChangedWhileOpening).
const readOnlyAttempts = 8

// openReadOnly opens the log in dir read-only, over a view of its own for
// each attempt. A writer in another process may roll and delete segments
// meanwhile: a log that lists the directory before a roll and reads the
// log-start checkpoint after it, or opens a segment the writer has
// deleted since the listing, is no log the writer ever had. So the
// segment files are listed before and after each attempt: the same files
// both times mean that no roll and no deletion overlapped it (the view
// reads every segment it opened through the descriptor it opened, and
// sees no later append), and its log is one the writer had, without a
// gap from its start to its end. The log is read again when they differ,
// or when the attempt failed for a file missing (removed since the view
// saw it, which the view reports as an error wrapping fs.ErrNotExist
// rather than taking for an empty file).
func openReadOnly(dir string, opts Options) (*Log, error) {
	var last error
	for attempt := 1; ; attempt++ {
		if err := checkReadOnlyDir(opts.FS, dir); err != nil {
			return nil, err
		}
		before, err := listSegmentLogs(opts.FS, dir)
		if err != nil {
			return nil, err
		}
		l, err := openLog(dir, opts)
		// A directory gone since is a change too: the next attempt finds
		// it missing.
		after, lerr := listSegmentLogs(opts.FS, dir)
		if lerr == nil && slices.Equal(before, after) && !errors.Is(err, fs.ErrNotExist) {
			return l, err
		}
		if l != nil {
			// A read-only log writes nothing on Close: nothing is lost
			// if closing it fails.
			_ = l.Close()
		}
		if lerr != nil && !errors.Is(lerr, fs.ErrNotExist) {
			return nil, errors.Join(err, lerr)
		}
		if last = err; last == nil {
			last = errors.New("the segment files changed")
		}
		if attempt == readOnlyAttempts {
			// The last cause is only text: the log did not fail for a
			// missing file, say, but for a directory that kept changing.
			return nil, fmt.Errorf("log: opening %s read-only, %d times: %w (last: %v)",
				dir, attempt, ErrChangedWhileOpening, last)
		}
		opts.Logger.Debug("read-only open raced a change to the segments: opening again",
			"dir", dir, "read_only", true, "attempt", attempt, "err", last)
	}
}

// listSegmentLogs returns the names of the segment log files in dir, sorted.
func listSegmentLogs(fsys vfs.FS, dir string) ([]string, error) {
	names, err := fsys.List(dir)
	if err != nil {
		return nil, fmt.Errorf("log: listing %s: %w", dir, err)
	}
	names = slices.DeleteFunc(names, func(name string) bool {
		_, ext, ok := segment.ParseFileName(name)
		return !ok || ext != segment.LogExt
	})
	slices.Sort(names)
	return names, nil
}

// useDurablePointOnDisk sets the recovery point of a log opened read-only
// to what the files say is durable. After a clean shutdown that is the log
// end, as loadSegments set it. Otherwise it is the checkpointed recovery
// point, which a writer moves after its background flushes and on Close:
// recovery, which leaves the recovery point at the first segment it read
// for the flusher to sync the rest, syncs nothing here.
func (l *Log) useDurablePointOnDisk() {
	rp := l.flush.recoveryPoint.Load()
	if ckpt, ok, err := l.readCheckpointAtOpen(recoveryPointFile); err == nil && ok {
		rp = max(rp, min(ckpt, l.logEnd.Load()))
	}
	l.flush.recoveryPoint.Store(rp)
}
