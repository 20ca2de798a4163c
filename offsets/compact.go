package offsets

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/commitlog-go/commitlog/record"
)

// maybeCompact compacts the log once it has grown past Options.CompactBytes
// and past twice what the live offsets take. Only the writer calls it.
func (s *Store) maybeCompact() error {
	size := s.log.Size()
	s.mu.RLock()
	live := s.liveBytes
	s.mu.RUnlock()
	if size < s.compact || size < 2*live {
		return nil
	}
	return s.compactLog()
}

// compactLog rewrites the live offsets in a new segment at the log's end
// and deletes the segments before it. The rewrite is appended (and synced)
// before anything is deleted, so a crash between the two leaves every
// offset twice, never missing. A read-only store refuses, with an error
// wrapping ErrReadOnly.
func (s *Store) compactLog() error {
	if err := s.refuseReadOnly("compact"); err != nil {
		return err
	}
	before := s.log.Size()
	state := s.snapshot(func(key) bool { return true })
	// The rewrite begins a segment of its own, so that every segment
	// before it can go whole.
	if err := s.log.Roll(); err != nil {
		return fmt.Errorf("offsets: compacting: %w", err)
	}
	start := s.log.LogEndOffset()
	b := record.NewBuilder()
	var k, value []byte
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		batch, err := b.Build()
		if err != nil {
			return err
		}
		_, err = s.log.Append(batch)
		b.Reset()
		return err
	}
	for _, sk := range slices.SortedFunc(maps.Keys(state), compareKeys) {
		v := state[sk]
		k = appendKey(k[:0], sk)
		value = appendValue(value[:0], v)
		b.Append(record.Record{Timestamp: v.Time.UnixMilli(), Key: k, Value: value})
		if b.Size() >= roundBytes {
			if err := flush(); err != nil {
				return fmt.Errorf("offsets: compacting: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("offsets: compacting: %w", err)
	}
	if err := s.log.Sync(context.Background()); err != nil {
		return fmt.Errorf("offsets: compacting: %w", err)
	}
	if _, err := s.log.DeleteRecordsBefore(start); err != nil {
		return fmt.Errorf("offsets: compacting: %w", err)
	}
	s.logger.Info("offsets compacted", "dir", s.dir, "bytes_before", before, "bytes_after", s.log.Size(),
		"entries", len(state), "log_start_offset", start)
	return nil
}
