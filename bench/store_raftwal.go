package main

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
	walfs "github.com/hashicorp/raft-wal/fs"
	"github.com/hashicorp/raft-wal/segment"
	"github.com/hashicorp/raft-wal/types"
)

// init registers the raft-wal store.
func init() {
	register(storeKind{
		name:    "raft-wal",
		version: "v0.4.2",
		open:    openRaftWAL,
		notes:   "no CRC check on read (only in tail recovery), no scan iterator, fsync switchable only via its file system",
	})
}

// raftWALSegmentBytes is the segment size: 64 MiB, raft-wal's default.
// Its segment files are preallocated at this size and must stay under
// 2 GiB.
const raftWALSegmentBytes = 64 << 20

// raftWALStore runs hashicorp/raft-wal, the log store for hashicorp/raft.
// Sequence number s is raft log index s+1.
type raftWALStore struct {
	wal  *wal.WAL
	fs   *raftWALFS
	opts storeOptions

	mu   sync.Mutex // serialises appends, which track next
	next uint64     // index of the next log to store
	logs []raft.Log // reused backing array for appendBatch
	ptrs []*raft.Log
}

// openRaftWAL opens (or creates) a raft-wal log in dir.
func openRaftWAL(dir string, o storeOptions) (store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("raft-wal: open: %w", err)
	}
	fs := &raftWALFS{FS: walfs.New(), noSync: !o.syncEachAppend, files: map[*raftWALFile]struct{}{}}
	w, err := wal.Open(dir,
		wal.WithSegmentFiler(segment.NewFiler(dir, fs)),
		wal.WithSegmentSize(raftWALSegmentBytes),
	)
	if err != nil {
		return nil, fmt.Errorf("raft-wal: open %s: %w", dir, err)
	}
	last, err := w.LastIndex()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("raft-wal: open %s: %w", dir, err)
	}
	return &raftWALStore{wal: w, fs: fs, opts: o, next: last + 1}, nil
}

// appendBatch stores recs with one StoreLogs call, which raft-wal commits
// with one commit frame (and one fsync unless the file system skips it).
func (s *raftWALStore) appendBatch(recs [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs = s.logs[:0]
	s.ptrs = s.ptrs[:0]
	for i, rec := range recs {
		s.logs = append(s.logs, raft.Log{Index: s.next + uint64(i), Data: rec})
	}
	for i := range s.logs {
		s.ptrs = append(s.ptrs, &s.logs[i])
	}
	if err := s.wal.StoreLogs(s.ptrs); err != nil {
		return fmt.Errorf("raft-wal: store logs: %w", err)
	}
	s.next += uint64(len(recs))
	return nil
}

// sync fsyncs the segment files written since the last sync. raft-wal
// has no sync call because StoreLogs always fsyncs; when that is switched
// off, the adapter's file system calls the Sync that raft-wal skipped.
func (s *raftWALStore) sync() error {
	if err := s.fs.syncAll(); err != nil {
		return fmt.Errorf("raft-wal: sync: %w", err)
	}
	return nil
}

// appendDurable stores rec and makes it durable. raft-wal has no group
// commit, so callers are serialised: StoreLogs with one log, which fsyncs
// by itself unless the file system skips it, and then sync.
func (s *raftWALStore) appendDurable(rec []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := raft.Log{Index: s.next, Data: rec}
	if err := s.wal.StoreLogs([]*raft.Log{&log}); err != nil {
		return fmt.Errorf("raft-wal: store log: %w", err)
	}
	s.next++
	return s.sync()
}

// scan reads every log with GetLog, the only read call raft-wal has.
func (s *raftWALStore) scan(fn func(seq int64, value []byte) error) error {
	first, err := s.wal.FirstIndex()
	if err != nil {
		return fmt.Errorf("raft-wal: scan: %w", err)
	}
	last, err := s.wal.LastIndex()
	if err != nil {
		return fmt.Errorf("raft-wal: scan: %w", err)
	}
	if last == 0 {
		return nil
	}
	if first != 1 {
		return fmt.Errorf("raft-wal: scan: first index is %d, not 1", first)
	}
	var log raft.Log
	for idx := first; idx <= last; idx++ {
		if err := s.wal.GetLog(idx, &log); err != nil {
			return fmt.Errorf("raft-wal: scan at index %d: %w", idx, err)
		}
		if err := fn(int64(idx-1), log.Data); err != nil {
			return err
		}
	}
	return nil
}

// read gets log index seq+1 with GetLog, which finds it through the
// tail's in-memory index or a sealed segment's on-disk index.
func (s *raftWALStore) read(dst []byte, seq int64) ([]byte, error) {
	if seq < 0 {
		return dst, fmt.Errorf("raft-wal: read %d: out of range", seq)
	}
	var log raft.Log
	if err := s.wal.GetLog(uint64(seq)+1, &log); err != nil {
		return dst, fmt.Errorf("raft-wal: read %d: %w", seq, err)
	}
	return append(dst, log.Data...), nil
}

// close fsyncs what the file system skipped, as a clean shutdown of
// raft-wal leaves everything synced, and closes the WAL.
func (s *raftWALStore) close() error {
	syncErr := s.sync()
	if err := s.wal.Close(); err != nil {
		return errors.Join(syncErr, fmt.Errorf("raft-wal: close: %w", err))
	}
	return syncErr
}

// raftWALFS is raft-wal's own file system, except that with noSync set
// the Sync that raft-wal calls at the end of every StoreLogs does nothing.
// It keeps the files opened for writing so that syncAll can fsync them.
type raftWALFS struct {
	*walfs.FS
	noSync bool

	mu    sync.Mutex
	files map[*raftWALFile]struct{}
}

// Create creates a segment file and tracks it.
func (fs *raftWALFS) Create(dir, name string, size uint64) (types.WritableFile, error) {
	f, err := fs.FS.Create(dir, name, size)
	if err != nil {
		return nil, err
	}
	return fs.track(f), nil
}

// OpenWriter opens the tail segment file for recovery and tracks it.
func (fs *raftWALFS) OpenWriter(dir, name string) (types.WritableFile, error) {
	f, err := fs.FS.OpenWriter(dir, name)
	if err != nil {
		return nil, err
	}
	return fs.track(f), nil
}

// track wraps f and adds it to the files syncAll fsyncs.
func (fs *raftWALFS) track(f types.WritableFile) *raftWALFile {
	wf := &raftWALFile{WritableFile: f, fs: fs}
	fs.mu.Lock()
	fs.files[wf] = struct{}{}
	fs.mu.Unlock()
	return wf
}

// syncAll fsyncs every open file written since its last fsync.
func (fs *raftWALFS) syncAll() error {
	fs.mu.Lock()
	files := make([]*raftWALFile, 0, len(fs.files))
	for f := range fs.files {
		files = append(files, f)
	}
	fs.mu.Unlock()
	var errs []error
	for _, f := range files {
		errs = append(errs, f.syncIfDirty())
	}
	return errors.Join(errs...)
}

// raftWALFile is a segment file opened for writing that knows whether it
// has been written since its last fsync.
type raftWALFile struct {
	types.WritableFile
	fs    *raftWALFS
	dirty atomic.Bool
}

// WriteAt writes and marks the file dirty.
func (f *raftWALFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.WritableFile.WriteAt(p, off)
	f.dirty.Store(true)
	return n, err
}

// Sync is what raft-wal calls after each StoreLogs: an fsync, or nothing
// when the file system has noSync set.
func (f *raftWALFile) Sync() error {
	if f.fs.noSync {
		return nil
	}
	return f.syncIfDirty()
}

// syncIfDirty fsyncs the file (and, the first time, its directory, as
// raft-wal's file does) if it was written since the last fsync.
func (f *raftWALFile) syncIfDirty() error {
	if !f.dirty.Swap(false) {
		return nil
	}
	if err := f.WritableFile.Sync(); err != nil {
		f.dirty.Store(true)
		return err
	}
	return nil
}

// Close closes the file and stops tracking it.
func (f *raftWALFile) Close() error {
	f.fs.mu.Lock()
	delete(f.fs.files, f)
	f.fs.mu.Unlock()
	return f.WritableFile.Close()
}
