package topic

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// ErrBadOffsets means the log of committed offsets holds a record that
// does not decode.
var ErrBadOffsets = errors.New("topic: unreadable committed offsets")

// CommittedOffset is a consumer group's position in one partition: the
// offset of the next record the group will read.
type CommittedOffset struct {
	Offset   int64
	Metadata string
	Time     time.Time // when it was committed, to the millisecond
}

// OffsetCommit is one offset to commit: the next record the group will
// read from a partition, and an optional metadata string.
type OffsetCommit struct {
	Topic     string
	Partition int32
	Offset    int64
	Metadata  string
}

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// offsetsDirName is the directory of the offsets log in a registry. A
// topic's partition directories are named <name>-<index>, so no topic can
// collide with it.
const offsetsDirName = ".offsets"

// Sizes of the offsets log: commits are appended in rounds of at most
// offsetsRoundBytes, and once the log is larger than offsetsCompactBytes
// and than twice what it would take to hold the live offsets alone, the
// live offsets are written again at its end and everything before them is
// deleted, which keeps the log near the size of the live state.
const (
	offsetsSegmentBytes = 16 << 20
	offsetsRoundBytes   = 4 << 20
	offsetsCompactBytes = 32 << 20
	// offsetsIndexBytes holds the index entries of a full segment, one
	// per 4 KiB, with room to spare.
	offsetsIndexBytes = 128 << 10
)

// offsetStore keeps committed offsets in memory and in a log. Commits from
// many goroutines are group-committed: each round of waiting commits is
// one batch, one write and, when durable, one fsync. Only the writer
// goroutine changes the state.
type offsetStore struct {
	log     *log.Log
	now     func() time.Time
	compact int64 // offsetsCompactBytes, smaller in tests

	mu        sync.RWMutex // guards state and liveBytes
	state     map[offsetKey]CommittedOffset
	liveBytes int64 // encoded size of the live offsets

	cmu     sync.Mutex // guards rounds, current, writing and closed
	rounds  []*commitRound
	current *commitRound // the round being written, if any
	writing bool
	closed  bool
	writers sync.WaitGroup
}

// offsetChange is one record of a round: a new offset for key, or its
// deletion when value is nil.
type offsetChange struct {
	key   offsetKey
	value *CommittedOffset
}

// commitRound is commits waiting to be written together; done is closed
// once they are, with err set if they were not.
type commitRound struct {
	builder *record.Builder
	changes []offsetChange
	done    chan struct{}
	err     error
}

// openOffsetStore opens the offsets log in dir and replays it.
func openOffsetStore(fsys vfs.FS, dir string, durable bool, now func() time.Time) (*offsetStore, error) {
	flush := log.FlushNever
	if durable {
		flush = log.FlushAlways
	}
	l, err := log.Open(dir, log.Options{
		FS: fsys, Now: now, Flush: flush, SegmentBytes: offsetsSegmentBytes, MaxIndexBytes: offsetsIndexBytes,
		MaxBatchBytes: offsetsRoundBytes + 1<<20, RetentionAge: -1, RetentionCheckInterval: -1,
		NoLock: true, // the registry's lock covers it
	})
	if err != nil {
		return nil, fmt.Errorf("topic: opening committed offsets: %w", err)
	}
	s := &offsetStore{log: l, now: now, compact: offsetsCompactBytes, state: make(map[offsetKey]CommittedOffset)}
	if err := s.replay(); err != nil {
		l.Close()
		return nil, err
	}
	return s, nil
}

// replay rebuilds the state from the log.
func (s *offsetStore) replay() error {
	r := s.log.NewReader(s.log.LogStartOffset())
	for r.Next() {
		rec := r.Record()
		key, err := parseOffsetKey(rec.Key)
		if err != nil {
			return fmt.Errorf("%w: %s at offset %d: %w", ErrBadOffsets, s.log.Dir(), rec.Offset, err)
		}
		if rec.Value == nil {
			s.apply(offsetChange{key: key})
			continue
		}
		offset, metadata, ms, err := parseOffsetValue(rec.Value)
		if err != nil {
			return fmt.Errorf("%w: %s at offset %d: %w", ErrBadOffsets, s.log.Dir(), rec.Offset, err)
		}
		s.apply(offsetChange{key: key, value: &CommittedOffset{Offset: offset, Metadata: metadata, Time: time.UnixMilli(ms)}})
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("topic: reading committed offsets: %w", err)
	}
	return nil
}

// apply changes the state. Callers are the replay and the writer.
func (s *offsetStore) apply(c offsetChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.state[c.key]; ok {
		s.liveBytes -= entrySize(c.key, old)
		delete(s.state, c.key)
	}
	if c.value != nil {
		s.state[c.key] = *c.value
		s.liveBytes += entrySize(c.key, *c.value)
	}
}

// entrySize is about what one live offset takes in the log.
func entrySize(k offsetKey, v CommittedOffset) int64 {
	return int64(2+2+len(k.group)+2+len(k.topic)+4+offsetValueFixed+len(v.Metadata)) + 8
}

// get returns a committed offset.
func (s *offsetStore) get(k offsetKey) (CommittedOffset, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.state[k]
	return v, ok
}

// snapshot returns the keys and offsets for which keep is true.
func (s *offsetStore) snapshot(keep func(offsetKey) bool) map[offsetKey]CommittedOffset {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[offsetKey]CommittedOffset)
	for k, v := range s.state {
		if keep(k) {
			out[k] = v
		}
	}
	return out
}

// commit writes changes and returns once they are in the log (and on
// stable storage, when durable) and in the state.
func (s *offsetStore) commit(changes []offsetChange) error {
	round, err := s.enqueue(changes)
	if err != nil || round == nil {
		return err
	}
	return round.wait()
}

// enqueue adds changes to the round that will be written next and
// returns it, or nil when there are no changes, without waiting for the
// write. Rounds are written and applied in the order they were queued, so
// a caller that queues under a lock of its own orders its commits by
// that lock.
func (s *offsetStore) enqueue(changes []offsetChange) (*commitRound, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	var round *commitRound
	if n := len(s.rounds); n > 0 && s.rounds[n-1].builder.Size() < offsetsRoundBytes {
		round = s.rounds[n-1]
	} else {
		round = &commitRound{builder: record.NewBuilder(), done: make(chan struct{})}
		s.rounds = append(s.rounds, round)
	}
	ts := s.now().UnixMilli()
	var key, value []byte
	for _, c := range changes {
		key = appendOffsetKey(key[:0], c.key)
		rec := record.Record{Timestamp: ts, Key: key}
		if c.value != nil {
			value = appendOffsetValue(value[:0], *c.value)
			rec.Value = value
		}
		round.builder.Append(rec)
		round.changes = append(round.changes, c)
	}
	if !s.writing {
		s.writing = true
		s.writers.Add(1)
		go s.write()
	}
	return round, nil
}

// wait returns once the round is written and applied, with the write's
// error.
func (r *commitRound) wait() error {
	<-r.done
	return r.err
}

// settle returns once every round queued before the call has been
// written and applied (or has failed), so that the state read afterwards
// holds every commit accepted before it.
func (s *offsetStore) settle() {
	s.cmu.Lock()
	last := s.current
	if n := len(s.rounds); n > 0 {
		last = s.rounds[n-1]
	}
	s.cmu.Unlock()
	if last != nil {
		<-last.done
	}
}

// write is the writer goroutine: it writes rounds until none waits.
func (s *offsetStore) write() {
	defer s.writers.Done()
	for {
		s.cmu.Lock()
		s.current = nil
		if len(s.rounds) == 0 {
			s.writing = false
			s.cmu.Unlock()
			return
		}
		round := s.rounds[0]
		s.rounds = s.rounds[1:]
		s.current = round
		s.cmu.Unlock()

		batch, err := round.builder.Build()
		if err == nil {
			_, err = s.log.Append(batch)
		}
		if err == nil {
			for _, c := range round.changes {
				s.apply(c)
			}
			err = s.maybeCompact()
		}
		round.err = err
		close(round.done)
	}
}

// maybeCompact rewrites the live offsets in a new segment at the log's end
// and deletes the segments before it, once the log has grown well past
// them. The
// rewrite is appended (and synced) before anything is deleted, so a crash
// between the two leaves every offset twice, never missing.
func (s *offsetStore) maybeCompact() error {
	size := s.log.Size()
	s.mu.RLock()
	live := s.liveBytes
	s.mu.RUnlock()
	if size < s.compact || size < 2*live {
		return nil
	}
	state := s.snapshot(func(offsetKey) bool { return true })
	// The rewrite begins a segment of its own, so that every segment
	// before it can go whole.
	if err := s.log.Roll(); err != nil {
		return fmt.Errorf("topic: compacting committed offsets: %w", err)
	}
	start := s.log.LogEndOffset()
	b := record.NewBuilder()
	var key, value []byte
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
	keys := slices.SortedFunc(maps.Keys(state), compareOffsetKeys)
	for _, k := range keys {
		v := state[k]
		key = appendOffsetKey(key[:0], k)
		value = appendOffsetValue(value[:0], v)
		b.Append(record.Record{Timestamp: v.Time.UnixMilli(), Key: key, Value: value})
		if b.Size() >= offsetsRoundBytes {
			if err := flush(); err != nil {
				return fmt.Errorf("topic: compacting committed offsets: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("topic: compacting committed offsets: %w", err)
	}
	if err := s.log.Sync(); err != nil {
		return fmt.Errorf("topic: compacting committed offsets: %w", err)
	}
	if _, err := s.log.DeleteRecordsBefore(start); err != nil {
		return fmt.Errorf("topic: compacting committed offsets: %w", err)
	}
	return nil
}

func compareOffsetKeys(a, b offsetKey) int {
	return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.topic, b.topic), cmp.Compare(a.partition, b.partition))
}

// close waits for the writer and closes the log.
func (s *offsetStore) close() error {
	s.cmu.Lock()
	s.closed = true
	s.cmu.Unlock()
	s.writers.Wait()
	return s.log.Close()
}

// remove deletes, durably, every committed offset for which match is true.
func (s *offsetStore) remove(match func(offsetKey) bool) error {
	var changes []offsetChange
	for k := range s.snapshot(match) {
		changes = append(changes, offsetChange{key: k})
	}
	return s.commit(changes)
}
