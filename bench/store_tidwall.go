package main

import (
	"fmt"
	"sync"

	"github.com/tidwall/wal"
)

// init registers the tidwall-wal store.
func init() {
	register(storeKind{
		name:    "tidwall-wal",
		version: "v1.2.1",
		open:    openTidwall,
		notes:   "no CRC, no index on disk: segments are read whole into memory (up to 64 of 64 MiB cached, so every log here), a torn tail fails open",
	})
}

// tidwallSegmentBytes is the segment size: 64 MiB (tidwall/wal's default
// is 20 MB). It keeps the tail segment, and the segments it reads, whole
// in memory, which rules out 1 GiB.
const tidwallSegmentBytes = 64 << 20

// tidwallCacheSegments is how many segments tidwall/wal keeps in memory.
const tidwallCacheSegments = 64

// tidwallStore runs tidwall/wal. Sequence number s is index s+1.
type tidwallStore struct {
	log  *wal.Log
	opts storeOptions

	mu    sync.Mutex // serialises appends, which track next
	next  uint64     // index of the next entry
	batch wal.Batch  // reused argument to WriteBatch
}

// openTidwall opens (or creates) a tidwall/wal log in dir.
func openTidwall(dir string, o storeOptions) (store, error) {
	log, err := wal.Open(dir, &wal.Options{
		NoSync:      !o.syncEachAppend,
		SegmentSize: tidwallSegmentBytes,
		LogFormat:   wal.Binary,
		// A read loads its segment whole into a cache of this many
		// segments; its default of 2 makes random reads over a larger
		// log reload 64 MiB on most reads. 64 segments hold every log
		// the harness writes, which is the setting a user reading at
		// random would choose.
		SegmentCacheSize: tidwallCacheSegments,
		// Read returns a slice of the cached segment; the adapter copies
		// it into dst or hands it to scan's callback only for the call.
		NoCopy: true,
	})
	if err != nil {
		return nil, fmt.Errorf("tidwall-wal: open %s: %w", dir, err)
	}
	last, err := log.LastIndex()
	if err != nil {
		log.Close()
		return nil, fmt.Errorf("tidwall-wal: open %s: %w", dir, err)
	}
	return &tidwallStore{log: log, opts: o, next: last + 1}, nil
}

// appendBatch writes recs with one WriteBatch call: one write, and one
// fsync unless NoSync is set.
func (s *tidwallStore) appendBatch(recs [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batch.Clear()
	for i, rec := range recs {
		s.batch.Write(s.next+uint64(i), rec)
	}
	if err := s.log.WriteBatch(&s.batch); err != nil {
		return fmt.Errorf("tidwall-wal: write batch: %w", err)
	}
	s.next += uint64(len(recs))
	return nil
}

// sync fsyncs the tail segment with Log.Sync.
func (s *tidwallStore) sync() error {
	if err := s.log.Sync(); err != nil {
		return fmt.Errorf("tidwall-wal: sync: %w", err)
	}
	return nil
}

// appendDurable writes rec and makes it durable. tidwall/wal has no group
// commit, so callers are serialised: Write one entry, which fsyncs unless
// NoSync is set, else Sync.
func (s *tidwallStore) appendDurable(rec []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.log.Write(s.next, rec); err != nil {
		return fmt.Errorf("tidwall-wal: write: %w", err)
	}
	s.next++
	if s.opts.syncEachAppend {
		return nil
	}
	return s.sync()
}

// scan reads every entry with Read; tidwall/wal has no iterator.
func (s *tidwallStore) scan(fn func(seq int64, value []byte) error) error {
	last, err := s.log.LastIndex()
	if err != nil {
		return fmt.Errorf("tidwall-wal: scan: %w", err)
	}
	for idx := uint64(1); idx <= last; idx++ {
		data, err := s.log.Read(idx)
		if err != nil {
			return fmt.Errorf("tidwall-wal: scan at index %d: %w", idx, err)
		}
		if err := fn(int64(idx-1), data); err != nil {
			return err
		}
	}
	return nil
}

// read reads index seq+1 with Read, which finds it in the segment it
// loads (or has cached) in memory.
func (s *tidwallStore) read(dst []byte, seq int64) ([]byte, error) {
	if seq < 0 {
		return dst, fmt.Errorf("tidwall-wal: read %d: out of range", seq)
	}
	data, err := s.log.Read(uint64(seq) + 1)
	if err != nil {
		return dst, fmt.Errorf("tidwall-wal: read %d: %w", seq, err)
	}
	return append(dst, data...), nil
}

// close syncs and closes the log.
func (s *tidwallStore) close() error {
	if err := s.log.Close(); err != nil {
		return fmt.Errorf("tidwall-wal: close: %w", err)
	}
	return nil
}
