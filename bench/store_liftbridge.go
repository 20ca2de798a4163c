package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	lift "github.com/liftbridge-io/liftbridge/server/commitlog"
)

// init registers the liftbridge store.
func init() {
	register(storeKind{
		name:    "liftbridge",
		version: "v1.9.0",
		open:    openLiftbridge,
		notes:   "no fsync call (the adapter fsyncs its files), no tail check on open, per-message CRC",
	})
}

const (
	// liftbridgeSegmentBytes is the segment size: 1 GiB, liftbridge's
	// default and Kafka's segment.bytes.
	liftbridgeSegmentBytes = 1 << 30
	// liftbridgeQuiet is the interval given to liftbridge's background
	// timers. They only checkpoint the replication high watermark and
	// apply retention, neither of which the benchmark uses, so they are
	// pushed out of the way of the measurements.
	liftbridgeQuiet = time.Hour
	// liftbridgeHeaderLen is the size of the message-set header that
	// Reader.ReadMessage decodes into its scratch buffer.
	liftbridgeHeaderLen = 28
)

// liftbridgeStore runs liftbridge's server/commitlog package, the log
// behind each liftbridge stream partition.
type liftbridgeStore struct {
	dir  string
	log  lift.CommitLog
	opts storeOptions

	msgs []lift.Message  // reused backing array for appendBatch
	ptrs []*lift.Message // reused argument to Append
	hdr  []byte          // scratch header buffer for ReadMessage

	mu         sync.Mutex // serialises appendDurable and sync
	files      map[string]*os.File
	syncedBase int64 // base offset of the newest segment at the last sync
}

// openLiftbridge opens (or creates) a liftbridge commit log in dir.
func openLiftbridge(dir string, o storeOptions) (store, error) {
	log, err := lift.New(lift.Options{
		Path:                 dir,
		MaxSegmentBytes:      liftbridgeSegmentBytes,
		HWCheckpointInterval: liftbridgeQuiet,
		CleanerInterval:      liftbridgeQuiet,
	})
	if err != nil {
		return nil, fmt.Errorf("liftbridge: open %s: %w", dir, err)
	}
	return &liftbridgeStore{
		dir:        dir,
		log:        log,
		opts:       o,
		hdr:        make([]byte, liftbridgeHeaderLen),
		files:      map[string]*os.File{},
		syncedBase: -1,
	}, nil
}

// appendBatch appends recs as one message set with CommitLog.Append.
func (s *liftbridgeStore) appendBatch(recs [][]byte) error {
	now := time.Now().UnixNano()
	s.msgs = s.msgs[:0]
	s.ptrs = s.ptrs[:0]
	for _, rec := range recs {
		// The index takes a zero timestamp for an empty slot, so every
		// message needs a real one, as the liftbridge server sets.
		s.msgs = append(s.msgs, lift.Message{Value: rec, Timestamp: now})
	}
	for i := range s.msgs {
		s.ptrs = append(s.ptrs, &s.msgs[i])
	}
	if _, err := s.log.Append(s.ptrs); err != nil {
		return fmt.Errorf("liftbridge: append: %w", err)
	}
	if s.opts.syncEachAppend {
		// Liftbridge has no sync setting: the adapter does it.
		return s.sync()
	}
	return nil
}

// sync fsyncs the log and index files of every segment written since the
// last sync. The commitlog package has no sync call of its own (it leaves
// durability to replication), so the adapter opens the segment files by
// name and fsyncs them; on Linux that also flushes the mmapped index.
func (s *liftbridgeStore) sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncLocked()
}

// syncLocked is sync with s.mu held.
func (s *liftbridgeStore) syncLocked() error {
	bases, err := s.segmentBases()
	if err != nil {
		return err
	}
	if len(bases) == 0 {
		return nil
	}
	newest := bases[len(bases)-1]
	for _, base := range bases {
		if base < s.syncedBase {
			continue
		}
		for _, suffix := range []string{".log", ".index"} {
			if err := s.syncFile(fmt.Sprintf("%020d%s", base, suffix)); err != nil {
				return err
			}
		}
	}
	if newest > s.syncedBase {
		// A segment was created since the last sync: make its
		// directory entry durable, and drop files that are now sealed
		// and synced.
		if err := liftbridgeSyncDir(s.dir); err != nil {
			return fmt.Errorf("liftbridge: sync: %w", err)
		}
		s.closeFilesBefore(newest)
		s.syncedBase = newest
	}
	return nil
}

// segmentBases lists the base offsets of the segments in the log's
// directory, in order.
func (s *liftbridgeStore) segmentBases() ([]int64, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("liftbridge: sync: %w", err)
	}
	var bases []int64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".log")
		if !ok {
			continue
		}
		base, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			continue
		}
		bases = append(bases, base)
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	return bases, nil
}

// syncFile fsyncs one segment file, keeping it open for the next sync.
func (s *liftbridgeStore) syncFile(name string) error {
	f, ok := s.files[name]
	if !ok {
		var err error
		f, err = os.OpenFile(filepath.Join(s.dir, name), os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("liftbridge: sync: %w", err)
		}
		s.files[name] = f
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("liftbridge: sync %s: %w", name, err)
	}
	return nil
}

// closeFilesBefore closes the cached files of segments older than base.
func (s *liftbridgeStore) closeFilesBefore(base int64) {
	for name, f := range s.files {
		stem, _, _ := strings.Cut(name, ".")
		if b, err := strconv.ParseInt(stem, 10, 64); err == nil && b < base {
			f.Close()
			delete(s.files, name)
		}
	}
}

// appendDurable appends rec and fsyncs. Liftbridge has no group commit,
// so callers are serialised: append one message, then sync.
func (s *liftbridgeStore) appendDurable(rec []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := []*lift.Message{{Value: rec, Timestamp: time.Now().UnixNano()}}
	if _, err := s.log.Append(msg); err != nil {
		return fmt.Errorf("liftbridge: append: %w", err)
	}
	return s.syncLocked()
}

// scan reads the log from offset 0 with one uncommitted Reader.
func (s *liftbridgeStore) scan(fn func(seq int64, value []byte) error) (err error) {
	defer catchLiftbridgePanic(&err)
	newest := s.log.NewestOffset()
	if newest < 0 {
		return nil
	}
	r, err := s.log.NewReader(0, true)
	if err != nil {
		return fmt.Errorf("liftbridge: scan: %w", err)
	}
	ctx := context.Background()
	for want := int64(0); want <= newest; want++ {
		msg, offset, _, _, err := r.ReadMessage(ctx, s.hdr)
		if err != nil {
			return fmt.Errorf("liftbridge: scan at %d: %w", want, err)
		}
		if offset != want {
			return fmt.Errorf("liftbridge: scan: got offset %d, want %d", offset, want)
		}
		if err := fn(offset, msg.Value()); err != nil {
			return err
		}
	}
	return nil
}

// read opens a Reader at seq, which looks the offset up in the segment's
// index, and reads one message.
func (s *liftbridgeStore) read(dst []byte, seq int64) (_ []byte, err error) {
	defer catchLiftbridgePanic(&err)
	if seq < 0 || seq > s.log.NewestOffset() {
		return dst, fmt.Errorf("liftbridge: read %d: out of range", seq)
	}
	r, err := s.log.NewReader(seq, true)
	if err != nil {
		return dst, fmt.Errorf("liftbridge: read %d: %w", seq, err)
	}
	msg, offset, _, _, err := r.ReadMessage(context.Background(), s.hdr)
	if err != nil {
		return dst, fmt.Errorf("liftbridge: read %d: %w", seq, err)
	}
	if offset != seq {
		return dst, fmt.Errorf("liftbridge: read %d: got offset %d", seq, offset)
	}
	return append(dst, msg.Value()...), nil
}

// close closes the log and the files held open for sync.
func (s *liftbridgeStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for name, f := range s.files {
		errs = append(errs, f.Close())
		delete(s.files, name)
	}
	if err := s.log.Close(); err != nil {
		errs = append(errs, fmt.Errorf("liftbridge: close: %w", err))
	}
	return errors.Join(errs...)
}

// catchLiftbridgePanic turns the panic liftbridge raises on a CRC mismatch
// (or any other panic while reading) into an error.
func catchLiftbridgePanic(err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("liftbridge: panic while reading: %v", v)
	}
}

// liftbridgeSyncDir fsyncs a directory so that files created in it survive a crash.
func liftbridgeSyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
