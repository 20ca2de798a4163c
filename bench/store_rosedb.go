package main

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/rosedblabs/wal"
)

// init registers the rosedb-wal store.
func init() {
	register(storeKind{
		name:    "rosedb-wal",
		version: "v1.3.8",
		open:    openRosedb,
		// Opening reads every chunk, checking its CRC, to find the
		// positions.
		checksOnOpen: true,
		notes:        "no index on disk (positions held in memory, rebuilt by reading the WAL on open), per-chunk CRC, no tail recovery",
	})
}

// rosedbSegmentBytes is the segment size: 1 GiB, rosedb's default and
// Kafka's segment.bytes.
const rosedbSegmentBytes = wal.GB

// rosedbStore runs rosedblabs/wal. It addresses records by chunk
// position only, so the adapter keeps the position of each sequence
// number in memory.
type rosedbStore struct {
	wal  *wal.WAL
	opts storeOptions

	mu  sync.Mutex          // serialises appends, which extend pos
	pos []wal.ChunkPosition // pos[seq] is where record seq is
}

// openRosedb opens (or creates) a rosedb WAL in dir and reads it through
// to rebuild the positions of its records.
func openRosedb(dir string, o storeOptions) (store, error) {
	w, err := wal.Open(wal.Options{
		DirPath:        dir,
		SegmentSize:    rosedbSegmentBytes,
		SegmentFileExt: ".SEG",
		Sync:           o.syncEachAppend,
	})
	if err != nil {
		return nil, fmt.Errorf("rosedb-wal: open %s: %w", dir, err)
	}
	s := &rosedbStore{wal: w, opts: o}
	if err := s.loadPositions(); err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

// loadPositions reads the WAL through with its Reader, in the one-reader
// startup mode rosedb itself uses on open, and records each position.
func (s *rosedbStore) loadPositions() error {
	s.wal.SetIsStartupTraversal(true)
	defer s.wal.SetIsStartupTraversal(false)
	r := s.wal.NewReader()
	for {
		_, pos, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("rosedb-wal: open: reading record %d: %w", len(s.pos), err)
		}
		s.pos = append(s.pos, *pos)
	}
}

// appendBatch queues recs with PendingWrites and writes them with one
// WriteAll call. WriteAll ignores the Sync option, so with
// syncEachAppend the adapter calls Sync after it.
func (s *rosedbStore) appendBatch(recs [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range recs {
		s.wal.PendingWrites(rec)
	}
	positions, err := s.wal.WriteAll()
	if err != nil {
		return fmt.Errorf("rosedb-wal: write all: %w", err)
	}
	for _, p := range positions {
		s.pos = append(s.pos, *p)
	}
	if s.opts.syncEachAppend {
		return s.sync()
	}
	return nil
}

// sync fsyncs the active segment with WAL.Sync.
func (s *rosedbStore) sync() error {
	if err := s.wal.Sync(); err != nil {
		return fmt.Errorf("rosedb-wal: sync: %w", err)
	}
	return nil
}

// appendDurable writes rec and makes it durable. rosedb has no group
// commit, so callers are serialised: Write one record, which fsyncs with
// the Sync option, else Sync.
func (s *rosedbStore) appendDurable(rec []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.wal.Write(rec)
	if err != nil {
		return fmt.Errorf("rosedb-wal: write: %w", err)
	}
	s.pos = append(s.pos, *p)
	if s.opts.syncEachAppend {
		return nil
	}
	return s.sync()
}

// scan reads the WAL through with a Reader.
func (s *rosedbStore) scan(fn func(seq int64, value []byte) error) error {
	r := s.wal.NewReader()
	for seq := int64(0); ; seq++ {
		data, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("rosedb-wal: scan at %d: %w", seq, err)
		}
		if err := fn(seq, data); err != nil {
			return err
		}
	}
}

// read reads record seq at its position with WAL.Read.
func (s *rosedbStore) read(dst []byte, seq int64) ([]byte, error) {
	s.mu.Lock()
	n := int64(len(s.pos))
	var p wal.ChunkPosition
	if seq >= 0 && seq < n {
		p = s.pos[seq]
	}
	s.mu.Unlock()
	if seq < 0 || seq >= n {
		return dst, fmt.Errorf("rosedb-wal: read %d: out of range (%d records)", seq, n)
	}
	data, err := s.wal.Read(&p)
	if err != nil {
		return dst, fmt.Errorf("rosedb-wal: read %d: %w", seq, err)
	}
	return append(dst, data...), nil
}

// close closes the WAL (which, like rosedb's own Close, does not sync).
func (s *rosedbStore) close() error {
	if err := s.wal.Close(); err != nil {
		return fmt.Errorf("rosedb-wal: close: %w", err)
	}
	return nil
}
