package offsets

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
)

// Committed is a consumer group's position in one partition: the offset
// of the next record the group will read.
type Committed struct {
	Offset   int64
	Metadata string
	Time     time.Time // when it was committed, to the millisecond
}

// Commit is one offset to commit: the next record the group will read
// from a partition, and an optional metadata string.
type Commit struct {
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

// DirName is the directory, in a topic registry's, where the committed
// offsets of the registry's consumer groups live. A topic's partition
// directories are named <name>-<index>, so no topic can collide with it.
const DirName = ".offsets"

// Sizes of the offsets log: commits are appended in rounds of at most
// roundBytes, and once the log is larger than compactBytes and than twice
// what it would take to hold the live offsets alone, the live offsets are
// written again at its end and everything before them is deleted, which
// keeps the log near the size of the live state.
const (
	segmentBytes = 16 << 20
	roundBytes   = 4 << 20
	compactBytes = 32 << 20
	// indexBytes holds the index entries of a full segment, one per
	// 4 KiB, with room to spare.
	indexBytes = 128 << 10
)

// Store is the committed offsets of consumer groups, in memory and in a
// log of Kafka's __consumer_offsets records (see format.go). Commits from
// many goroutines are group-committed: each round of waiting commits is
// one batch, one write and, unless Options.NoSync, one fsync. A Store is
// safe for use by many goroutines.
type Store struct {
	dir string
	// log is nil for a read-only store, which closes it once read.
	log      *log.Log
	now      func() time.Time
	compact  int64 // Options.CompactBytes
	readOnly bool
	logger   *slog.Logger
	// readStats are the log's size and start when a read-only store
	// read it.
	readStats Stats

	mu        sync.RWMutex // guards state and liveBytes
	state     map[key]Committed
	liveBytes int64 // encoded size of the live offsets

	cmu     sync.Mutex // guards rounds, current, writing and closed
	rounds  []*Pending
	current *Pending // the round being written, if any
	writing bool
	closed  bool
	writers sync.WaitGroup
}

// change is one record of a round: a new offset for key, or its deletion
// when value is nil.
type change struct {
	key   key
	value *Committed
}

// Pending is a round of commits queued to be written together (see
// Store.Queue).
type Pending struct {
	builder *record.Builder
	changes []change
	// remove, when set, makes the round a deletion: of every offset it
	// matches once the rounds before it are applied. Such a round holds
	// nothing else.
	remove func(key) bool
	done   chan struct{}
	err    error
}

// Open opens the store in dir, creating it if there is none, and reads it
// back. It takes the directory's lock unless Options.NoLock says the
// caller holds one. With Options.ReadOnly it takes no lock, creates and
// changes nothing, and keeps what it reads: the log is closed once read,
// and a missing directory reads as a store with no commits.
func Open(dir string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	s := &Store{dir: dir, now: opts.Now, compact: opts.CompactBytes, readOnly: opts.ReadOnly, logger: opts.Logger}
	open := s.open
	if opts.ReadOnly {
		open = s.openReadOnly
	}
	if err := open(opts); err != nil {
		return nil, err
	}
	s.logger.Debug("offsets opened", "dir", dir, "entries", len(s.state), "log_bytes", s.Stats().LogBytes,
		"read_only", opts.ReadOnly)
	return s, nil
}

// open opens the store's log and replays it into a fresh state. A
// read-only store closes the log once it is read.
func (s *Store) open(opts Options) error {
	flush := log.FlushAlways
	if opts.NoSync {
		flush = log.FlushNever
	}
	l, err := log.Open(s.dir, log.Options{
		FS: opts.FS, Now: opts.Now, Flush: flush, SegmentBytes: segmentBytes, MaxIndexBytes: indexBytes,
		MaxBatchBytes: roundBytes + 1<<20, RetentionAge: -1, RetentionCheckInterval: -1, NoLock: opts.NoLock,
		ReadOnly: opts.ReadOnly, Logger: opts.Logger,
	})
	if err != nil {
		return fmt.Errorf("offsets: opening %s: %w", s.dir, err)
	}
	s.log, s.state, s.liveBytes = l, make(map[key]Committed), 0
	err = s.replay()
	if err != nil || opts.ReadOnly {
		s.readStats = Stats{LogBytes: l.Size(), LogStartOffset: l.LogStartOffset()}
		s.log = nil
		if cerr := l.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("offsets: closing %s once read: %w", s.dir, cerr)
		}
	}
	return err
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// ReadOnly reports whether the store was opened with Options.ReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Stats describes a Store.
type Stats struct {
	// Offsets is how many offsets are committed, all groups together.
	Offsets int
	// LogBytes is the size of the log that holds them, and
	// LogStartOffset its first offset, which compaction moves.
	LogBytes, LogStartOffset int64
}

// Stats describes the store now.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	n := len(s.state)
	s.mu.RUnlock()
	if s.log == nil {
		st := s.readStats
		st.Offsets = n
		return st
	}
	return Stats{Offsets: n, LogBytes: s.log.Size(), LogStartOffset: s.log.LogStartOffset()}
}

// replay rebuilds the state from the log.
func (s *Store) replay() error {
	r := s.log.NewReader(s.log.LogStartOffset())
	for r.Next() {
		rec := r.Record()
		k, err := parseKey(rec.Key)
		if err != nil {
			return fmt.Errorf("%w: %s at offset %d: %w", ErrBadOffsets, s.dir, rec.Offset, err)
		}
		if rec.Value == nil {
			s.apply(change{key: k})
			continue
		}
		offset, metadata, ms, err := parseValue(rec.Value)
		if err != nil {
			return fmt.Errorf("%w: %s at offset %d: %w", ErrBadOffsets, s.dir, rec.Offset, err)
		}
		s.apply(change{key: k, value: &Committed{Offset: offset, Metadata: metadata, Time: time.UnixMilli(ms)}})
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("offsets: reading %s: %w", s.dir, err)
	}
	return nil
}

// apply changes the state. Callers are the replay and the writer.
func (s *Store) apply(c change) {
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
func entrySize(k key, v Committed) int64 {
	return int64(2+2+len(k.group)+2+len(k.topic)+4+valueFixed+len(v.Metadata)) + 8
}

// Committed returns group's committed offset in one partition, and false
// if the group has committed none there.
func (s *Store) Committed(group, topic string, partition int32) (Committed, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.state[key{group: group, topic: topic, partition: partition}]
	return v, ok
}

// Group returns every offset group has committed.
func (s *Store) Group(group string) map[TopicPartition]Committed {
	out := make(map[TopicPartition]Committed)
	for k, v := range s.snapshot(func(k key) bool { return k.group == group }) {
		out[TopicPartition{Topic: k.topic, Partition: k.partition}] = v
	}
	return out
}

// Groups returns the consumer groups that have committed offsets, sorted.
func (s *Store) Groups() []string {
	groups := make(map[string]bool)
	for k := range s.snapshot(func(key) bool { return true }) {
		groups[k.group] = true
	}
	return slices.Sorted(maps.Keys(groups))
}

// snapshot returns the keys and offsets for which keep is true.
func (s *Store) snapshot(keep func(key) bool) map[key]Committed {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[key]Committed)
	for k, v := range s.state {
		if keep(k) {
			out[k] = v
		}
	}
	return out
}

// Commit commits offsets for group and returns once they are in the log
// (and on stable storage, unless Options.NoSync) and readable. The commits
// of one call are applied together, and a later commit for the same
// partition replaces an earlier one; a call with a bad commit commits
// nothing. Commit checks the commits themselves (group name, offset,
// metadata size), not that their topics exist: that is the caller's.
//
// ctx bounds the wait. If it has ended when Commit is called, nothing is
// committed. If it ends while the commit waits for its round's write,
// Commit returns ctx.Err() and the round goes on: the commit may still
// become durable, and readable.
func (s *Store) Commit(ctx context.Context, group string, commits ...Commit) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.Queue(group, commits...)
	if err != nil || p == nil {
		return err
	}
	return p.Wait(ctx)
}

// Queue checks commits as Commit does and queues them to be written with
// the next round, without waiting: it returns the round, or nil when there
// is nothing to commit. Rounds are written and applied in the order they
// were queued, so a caller that queues under a lock of its own orders its
// commits by that lock, and waits outside it. A read-only store refuses
// every commit with an error wrapping ErrReadOnly.
func (s *Store) Queue(group string, commits ...Commit) (*Pending, error) {
	if err := s.refuseReadOnly("commit"); err != nil {
		return nil, err
	}
	if err := Check(group, commits...); err != nil {
		return nil, err
	}
	changes := make([]change, 0, len(commits))
	ms := s.now().Truncate(time.Millisecond)
	for _, c := range commits {
		changes = append(changes, change{
			key:   key{group: group, topic: c.Topic, partition: c.Partition},
			value: &Committed{Offset: c.Offset, Metadata: c.Metadata, Time: ms},
		})
	}
	return s.queue(changes)
}

// Check returns the error that Commit and Queue would refuse commits for
// group with, or nil: for a caller that does work of its own before it
// commits, and wants to do it only for a commit that will be taken.
func Check(group string, commits ...Commit) error {
	if group == "" || len(group) > maxShortString {
		return fmt.Errorf("%w: %q", ErrInvalidGroup, group)
	}
	for _, c := range commits {
		switch {
		case c.Topic == "" || len(c.Topic) > maxShortString:
			return fmt.Errorf("%w: %q", ErrInvalidTopic, c.Topic)
		case c.Partition < 0:
			return fmt.Errorf("%w: %d of %s", ErrInvalidPartition, c.Partition, c.Topic)
		case c.Offset < 0:
			return fmt.Errorf("%w: %d for %s-%d", ErrInvalidOffset, c.Offset, c.Topic, c.Partition)
		case len(c.Metadata) > MaxMetadata:
			return fmt.Errorf("%w: %d bytes, at most %d", ErrMetadataTooLarge, len(c.Metadata), MaxMetadata)
		}
	}
	return nil
}

// queue adds changes to the round that will be written next.
func (s *Store) queue(changes []change) (*Pending, error) {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if len(changes) == 0 {
		return nil, nil
	}
	var round *Pending
	if n := len(s.rounds); n > 0 && s.rounds[n-1].remove == nil && s.rounds[n-1].builder.Size() < roundBytes {
		round = s.rounds[n-1]
	} else {
		round = s.newRoundLocked()
	}
	ts := s.now().UnixMilli()
	var k, value []byte
	for _, c := range changes {
		k = appendKey(k[:0], c.key)
		rec := record.Record{Timestamp: ts, Key: k}
		if c.value != nil {
			value = appendValue(value[:0], *c.value)
			rec.Value = value
		}
		round.builder.Append(rec)
		round.changes = append(round.changes, c)
	}
	return round, nil
}

// queueRemove queues a round that deletes every offset match selects
// when the writer reaches it: after every round queued before it is
// applied, so that none of their commits outlives the deletion.
func (s *Store) queueRemove(match func(key) bool) (*Pending, error) {
	if err := s.refuseReadOnly("delete offsets"); err != nil {
		return nil, err
	}
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	round := s.newRoundLocked()
	round.remove = match
	return round, nil
}

// newRoundLocked appends an empty round to the queue and makes sure the
// writer runs. Callers hold s.cmu.
func (s *Store) newRoundLocked() *Pending {
	round := &Pending{builder: record.NewBuilder(), done: make(chan struct{})}
	s.rounds = append(s.rounds, round)
	if !s.writing {
		s.writing = true
		s.writers.Add(1)
		go s.write()
	}
	return round
}

// Wait returns once the round is written and applied, with the write's
// error. If ctx ends first, Wait returns ctx.Err() and the round goes on:
// its commits may still become durable, and readable.
func (p *Pending) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Settle returns once every round queued before the call has been written
// and applied (or has failed), so that what is read afterwards holds every
// commit queued before it. If ctx ends first, Settle returns ctx.Err() and
// reads may not hold them yet.
func (s *Store) Settle(ctx context.Context) error {
	s.cmu.Lock()
	last := s.current
	if n := len(s.rounds); n > 0 {
		last = s.rounds[n-1]
	}
	s.cmu.Unlock()
	if last == nil {
		return nil
	}
	select {
	case <-last.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// write is the writer goroutine: it writes rounds until none waits.
func (s *Store) write() {
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

		var err error
		if round.remove != nil {
			err = s.writeRemoval(round.remove)
		} else {
			var batch []byte
			batch, err = round.builder.Build()
			if err == nil {
				_, err = s.log.Append(batch)
			}
			if err == nil {
				for _, c := range round.changes {
					s.apply(c)
				}
			}
		}
		if err == nil {
			err = s.maybeCompact()
		}
		round.err = err
		close(round.done)
	}
}

// writeRemoval writes a tombstone for every live offset match selects, in
// batches of at most roundBytes, and applies each batch once it is
// written. Only the writer calls it.
func (s *Store) writeRemoval(match func(key) bool) error {
	state := s.snapshot(match)
	b := record.NewBuilder()
	var pending []change
	ts := s.now().UnixMilli()
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		batch, err := b.Build()
		if err != nil {
			return err
		}
		if _, err := s.log.Append(batch); err != nil {
			return err
		}
		for _, c := range pending {
			s.apply(c)
		}
		b.Reset()
		pending = pending[:0]
		return nil
	}
	var k []byte
	for _, sk := range slices.SortedFunc(maps.Keys(state), compareKeys) {
		k = appendKey(k[:0], sk)
		b.Append(record.Record{Timestamp: ts, Key: k})
		pending = append(pending, change{key: sk})
		if b.Size() >= roundBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func compareKeys(a, b key) int {
	return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.topic, b.topic), cmp.Compare(a.partition, b.partition))
}

// DeleteGroup forgets, durably, every offset group has committed,
// commits queued before the call included. If ctx ends first, DeleteGroup
// returns ctx.Err(); unless ctx had ended when it was called, the
// deletion goes on and may still become durable. A read-only store
// refuses it with an error wrapping ErrReadOnly.
func (s *Store) DeleteGroup(ctx context.Context, group string) error {
	return s.remove(ctx, func(k key) bool { return k.group == group })
}

// DeleteTopic forgets, durably, every offset committed in topic's
// partitions, by every group, commits queued before the call included: a
// topic deleted, and perhaps created again, starts without committed
// offsets. ctx and a read-only store are as for DeleteGroup.
func (s *Store) DeleteTopic(ctx context.Context, topic string) error {
	return s.remove(ctx, func(k key) bool { return k.topic == topic })
}

// KeepTopics forgets, durably, every offset committed in a topic for
// which exists returns false: what a crash between a topic's deletion and
// its offsets' leaves behind. exists is called on the store's writer
// goroutine, after the commits queued before the call are applied. ctx
// and a read-only store are as for DeleteGroup.
func (s *Store) KeepTopics(ctx context.Context, exists func(topic string) bool) error {
	return s.remove(ctx, func(k key) bool { return !exists(k.topic) })
}

// remove deletes, durably, every committed offset for which match is
// true once the rounds queued before it are applied.
func (s *Store) remove(ctx context.Context, match func(key) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.queueRemove(match)
	if err != nil {
		return err
	}
	return p.Wait(ctx)
}

// Close waits for the commits under way and closes the store's log. Later
// commits fail with ErrClosed; Close is idempotent.
func (s *Store) Close() error {
	s.cmu.Lock()
	already := s.closed
	s.closed = true
	s.cmu.Unlock()
	s.writers.Wait()
	if already || s.log == nil {
		return nil
	}
	return s.log.Close()
}
