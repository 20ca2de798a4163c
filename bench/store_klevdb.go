package main

import (
	"fmt"
	"sync"

	"github.com/klev-dev/klevdb"
)

// init registers the klevdb store.
func init() {
	register(storeKind{
		name:    "klevdb",
		version: "v0.12.1",
		open:    openKlevdb,
		notes:   "per-message CRC, two write calls per message, no tail check on open (Recover off)",
	})
}

const (
	// klevdbSegmentBytes is the rollover size: 1 GiB, as Kafka's
	// segment.bytes (klevdb's default is 1 MB).
	klevdbSegmentBytes = 1 << 30
	// klevdbConsumeMax is how many messages scan asks Consume for at once.
	klevdbConsumeMax = 1024
)

// klevdbStore runs a klevdb log with its offset index only (no key or
// time index).
type klevdbStore struct {
	log  klevdb.Log
	opts storeOptions
	msgs []klevdb.Message // reused argument to Publish
	mu   sync.Mutex       // serialises appendDurable
}

// openKlevdb opens (or creates) a klevdb log in dir.
func openKlevdb(dir string, o storeOptions) (store, error) {
	log, err := klevdb.Open(dir, klevdb.Options{
		CreateDirs: true,
		AutoSync:   o.syncEachAppend,
		Rollover:   klevdbSegmentBytes,
	})
	if err != nil {
		return nil, fmt.Errorf("klevdb: open %s: %w", dir, err)
	}
	return &klevdbStore{log: log, opts: o}, nil
}

// appendBatch appends recs with one Publish call; with AutoSync klevdb
// fsyncs at its end.
func (s *klevdbStore) appendBatch(recs [][]byte) error {
	s.msgs = s.msgs[:0]
	for _, rec := range recs {
		s.msgs = append(s.msgs, klevdb.Message{Value: rec})
	}
	if _, err := s.log.Publish(s.msgs); err != nil {
		return fmt.Errorf("klevdb: publish: %w", err)
	}
	return nil
}

// sync fsyncs the head segment's log and index files with Log.Sync.
func (s *klevdbStore) sync() error {
	if _, err := s.log.Sync(); err != nil {
		return fmt.Errorf("klevdb: sync: %w", err)
	}
	return nil
}

// appendDurable publishes rec and syncs. klevdb has no group commit, so
// callers are serialised: Publish one message, then Sync (which AutoSync
// does inside Publish).
func (s *klevdbStore) appendDurable(rec []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.log.Publish([]klevdb.Message{{Value: rec}}); err != nil {
		return fmt.Errorf("klevdb: publish: %w", err)
	}
	if s.opts.syncEachAppend {
		return nil
	}
	return s.sync()
}

// scan reads the log from offset 0 with repeated Consume calls.
func (s *klevdbStore) scan(fn func(seq int64, value []byte) error) error {
	end, err := s.log.NextOffset()
	if err != nil {
		return fmt.Errorf("klevdb: scan: %w", err)
	}
	want := int64(0)
	for want < end {
		next, msgs, err := s.log.Consume(want, klevdbConsumeMax)
		if err != nil {
			return fmt.Errorf("klevdb: scan at %d: %w", want, err)
		}
		if len(msgs) == 0 {
			return fmt.Errorf("klevdb: scan: no messages at %d of %d", want, end)
		}
		for _, m := range msgs {
			if m.Offset != want {
				return fmt.Errorf("klevdb: scan: got offset %d, want %d", m.Offset, want)
			}
			if err := fn(m.Offset, m.Value); err != nil {
				return err
			}
			want++
		}
		if next != want {
			return fmt.Errorf("klevdb: scan: next offset %d, want %d", next, want)
		}
	}
	return nil
}

// read gets the message at offset seq with Log.Get, which looks the
// position up in the segment's in-memory copy of its index.
func (s *klevdbStore) read(dst []byte, seq int64) ([]byte, error) {
	if seq < 0 {
		// Negative offsets are klevdb's oldest/newest markers.
		return dst, fmt.Errorf("klevdb: read %d: out of range", seq)
	}
	m, err := s.log.Get(seq)
	if err != nil {
		return dst, fmt.Errorf("klevdb: read %d: %w", seq, err)
	}
	return append(dst, m.Value...), nil
}

// close syncs and closes the log.
func (s *klevdbStore) close() error {
	if err := s.log.Close(); err != nil {
		return fmt.Errorf("klevdb: close: %w", err)
	}
	return nil
}
