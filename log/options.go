package log

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// FlushPolicy says when the log fsyncs appended data on its own. Whatever
// the policy, [Log.Sync] flushes at once, and a roll schedules a flush of
// the segment it seals.
type FlushPolicy int

const (
	// FlushNever leaves appended data to the page cache (and to
	// replication, as Kafka does by default).
	FlushNever FlushPolicy = iota
	// FlushEveryN flushes once Options.FlushRecords records have been
	// appended since the last flush, in the append that crosses the mark.
	FlushEveryN
	// FlushInterval flushes every Options.FlushInterval, from a goroutine
	// the log owns.
	FlushInterval
	// FlushAlways flushes before every append returns. Appends from many
	// goroutines share fsyncs: one fsync covers every append written
	// before it started.
	FlushAlways
)

// String names the policy.
func (p FlushPolicy) String() string {
	switch p {
	case FlushNever:
		return "never"
	case FlushEveryN:
		return "every-n"
	case FlushInterval:
		return "interval"
	case FlushAlways:
		return "always"
	}
	return fmt.Sprintf("FlushPolicy(%d)", int(p))
}

// ParseFlushPolicy returns the policy String names: "never", "every-n",
// "interval" or "always".
func ParseFlushPolicy(name string) (FlushPolicy, error) {
	for p := FlushNever; p <= FlushAlways; p++ {
		if p.String() == name {
			return p, nil
		}
	}
	return 0, fmt.Errorf("log: unknown flush policy %q (want never, every-n, interval or always)", name)
}

// MarshalText returns the policy's name.
func (p FlushPolicy) MarshalText() ([]byte, error) {
	if p < FlushNever || p > FlushAlways {
		return nil, fmt.Errorf("log: unknown flush policy %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText parses a policy's name, as ParseFlushPolicy does.
func (p *FlushPolicy) UnmarshalText(text []byte) error {
	v, err := ParseFlushPolicy(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Options configure a log. The zero value of every field means its
// default, so Options{} is a valid configuration. Open copies the options;
// changing them afterwards has no effect.
type Options struct {
	// FS is the filesystem the log lives on. Default vfs.Default.
	FS vfs.FS
	// SegmentBytes is the size at which the active segment is rolled.
	// Default 1 GiB; at most 2 GiB, as index positions are 32-bit.
	SegmentBytes int64
	// SegmentAge rolls the active segment once its records span this
	// much time, by record timestamps (by Now only for batches without
	// timestamps). Default 7 days, Kafka's segment.ms.
	SegmentAge time.Duration
	// SegmentJitter shortens SegmentAge for each new active segment by a
	// random duration below it (and below SegmentAge), so that many logs
	// created together do not all roll at once: Kafka's
	// segment.jitter.ms. Default 0: no jitter.
	SegmentJitter time.Duration
	// IndexIntervalBytes is how many bytes may be appended between two
	// offset index entries. Default 4 KiB.
	IndexIntervalBytes int
	// MaxIndexBytes is the size of each index file of the active segment;
	// a full index rolls the segment. Default 10 MiB.
	MaxIndexBytes int
	// MaxBatchBytes is the largest batch an append accepts, log overhead
	// included. Default 1 MiB + 12 bytes, Kafka's max.message.bytes.
	MaxBatchBytes int
	// Flush is the flush policy. Default FlushNever.
	Flush FlushPolicy
	// FlushRecords is the record count for FlushEveryN. Default 10,000.
	FlushRecords int64
	// FlushInterval is the period for FlushInterval. Default 1 second.
	FlushInterval time.Duration
	// Codec compresses the batches AppendRecords builds. Default none.
	Codec compress.Codec
	// TimestampType LogAppendTime makes the log stamp every appended
	// batch with the append time. Default CreateTime: producers' times.
	TimestampType record.TimestampType
	// Now is the clock for LogAppendTime, for retention and for the age
	// of segments whose batches carry no timestamps. Default time.Now.
	Now func() time.Time
	// RetentionAge deletes segments whose records are all older than
	// this, by record timestamps (see [Log.EnforceRetention]). Default 7
	// days; negative keeps records forever.
	RetentionAge time.Duration
	// RetentionBytes deletes the oldest segments while the log without
	// them would still hold at least this many bytes. Default (0) and
	// negative: no limit.
	RetentionBytes int64
	// RetentionCheckInterval is how often the log enforces retention in
	// the background. Default 5 minutes; negative: never on its own, only
	// when EnforceRetention is called.
	RetentionCheckInterval time.Duration
	// NoBackground makes the log start no goroutine: the flush that
	// follows a roll runs at the end of the call that rolled (an append,
	// Roll, EnforceRetention), the flush after a recovery at the end of
	// Open, and retention only when EnforceRetention is called. What a
	// crash finds synced then depends only on the calls made, not on
	// timing, which a deterministic simulation needs. The FlushInterval
	// policy, which needs a timer, and a positive RetentionCheckInterval
	// are refused with ErrInvalidConfig; RetentionCheckInterval defaults
	// to never. Default false.
	NoBackground bool
	// NoLock makes Open take no lock on the directory, which saves a file
	// descriptor per log. It is for a caller that holds a lock covering
	// the directory already, as a topic.Registry does for every partition
	// under its root; a Log opened so does not stop a second Open of the
	// same directory, which would corrupt it.
	NoLock bool
	// ReadOnly opens the log for reading only, as a tool does that
	// inspects a log another process may be writing. Open then takes no
	// lock and changes no file: the directory must exist (a missing one
	// is an error wrapping fs.ErrNotExist); after an unclean shutdown,
	// recovery still finds where the valid batches end, so that a torn
	// tail is never served, but cuts nothing; missing or damaged indexes
	// are rebuilt in memory; checkpoints and the clean-shutdown marker
	// stay as they are. The log shows its files as Open read them:
	// records appended afterwards are not seen, and the files it opened
	// stay readable when another process deletes them afterwards (a
	// follower truncation, which cuts a file in place, may still fail a
	// read of what it cut). An Open that races a writer's rolls and deletions reads
	// the log again until it sees one the writer had (see Open), and
	// fails with an error wrapping ErrChangedWhileOpening if it never
	// does.
	//
	// Appends, Roll, the truncations, DeleteRecordsBefore, SetLeaderEpoch,
	// EnforceRetention and Sync fail with ErrReadOnly, and no background
	// flush or retention runs. RecoveryPoint is what the files show to be
	// durable: the log end after a clean shutdown, otherwise the
	// checkpointed recovery point. Default false.
	ReadOnly bool
	// Logger receives a line for each decision the log makes on its own:
	// what recovery cut or dropped, checkpoints it could not use,
	// segments it rolled or deleted, truncations and the failure that
	// stops it. A topic passes one with the topic and partition as
	// attributes. Default nil: discard.
	Logger *slog.Logger
	// Metrics receives the log's measurements (see package metrics), with
	// empty labels unless wrapped by metrics.With, as a topic does.
	// Default nil: discard.
	Metrics metrics.Collector
}

// Defaults of Options.
const (
	DefaultSegmentBytes  = 1 << 30
	DefaultSegmentAge    = 7 * 24 * time.Hour
	DefaultMaxBatchBytes = 1<<20 + record.LogOverhead
	DefaultFlushRecords  = 10_000
	DefaultFlushInterval = time.Second
	// DefaultRetentionAge is Kafka's retention.ms: 7 days.
	DefaultRetentionAge = 7 * 24 * time.Hour
	// DefaultRetentionCheckInterval is Kafka's
	// log.retention.check.interval.ms: 5 minutes.
	DefaultRetentionCheckInterval = 5 * time.Minute
	maxSegmentBytes               = 1<<31 - 1
)

// withDefaults returns a copy of o with every zero field set to its
// default.
func (o Options) withDefaults() Options {
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.SegmentAge == 0 {
		o.SegmentAge = DefaultSegmentAge
	}
	if o.MaxBatchBytes == 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if o.FlushRecords == 0 {
		o.FlushRecords = DefaultFlushRecords
	}
	if o.FlushInterval == 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RetentionAge == 0 {
		o.RetentionAge = DefaultRetentionAge
	}
	if o.RetentionCheckInterval == 0 && o.NoBackground {
		o.RetentionCheckInterval = -1
	}
	if o.RetentionCheckInterval == 0 {
		o.RetentionCheckInterval = DefaultRetentionCheckInterval
	}
	if o.Logger == nil {
		o.Logger = discardLogger
	}
	o.Metrics = metrics.OrDiscard(o.Metrics)
	return o
}

// validate returns an error wrapping ErrInvalidConfig that names the
// first field of defaulted options out of range.
func (o Options) validate() error {
	switch {
	case o.SegmentBytes < record.HeaderSize || o.SegmentBytes > maxSegmentBytes:
		return fmt.Errorf("%w: SegmentBytes %d outside [%d, %d]", ErrInvalidConfig, o.SegmentBytes, record.HeaderSize, maxSegmentBytes)
	case o.SegmentAge < 0:
		return fmt.Errorf("%w: negative SegmentAge %v", ErrInvalidConfig, o.SegmentAge)
	case o.SegmentJitter < 0:
		return fmt.Errorf("%w: negative SegmentJitter %v", ErrInvalidConfig, o.SegmentJitter)
	case o.IndexIntervalBytes < 0 || o.MaxIndexBytes < 0:
		return fmt.Errorf("%w: negative index size", ErrInvalidConfig)
	case o.MaxBatchBytes < record.HeaderSize:
		return fmt.Errorf("%w: MaxBatchBytes %d below the %d-byte batch header", ErrInvalidConfig, o.MaxBatchBytes, record.HeaderSize)
	case o.Flush < FlushNever || o.Flush > FlushAlways:
		return fmt.Errorf("%w: unknown flush policy %d", ErrInvalidConfig, o.Flush)
	case o.FlushRecords < 0 || o.FlushInterval < 0:
		return fmt.Errorf("%w: negative flush setting", ErrInvalidConfig)
	case o.NoBackground && o.Flush == FlushInterval:
		return fmt.Errorf("%w: the FlushInterval policy needs the background goroutine that NoBackground turns off", ErrInvalidConfig)
	case o.NoBackground && o.RetentionCheckInterval > 0:
		return fmt.Errorf("%w: RetentionCheckInterval %v needs the background goroutine that NoBackground turns off", ErrInvalidConfig, o.RetentionCheckInterval)
	case !o.Codec.Valid():
		return fmt.Errorf("%w: %w %d", ErrInvalidConfig, compress.ErrUnknownCodec, o.Codec)
	}
	return nil
}

// discardLogger is what a nil Options.Logger means.
var discardLogger = slog.New(slog.DiscardHandler)

func (o Options) segmentOptions() segment.Options {
	return segment.Options{IndexIntervalBytes: o.IndexIntervalBytes, MaxIndexBytes: o.MaxIndexBytes, Now: o.Now}
}

// rollJitter draws the jitter of a new active segment (see SegmentJitter).
func (o Options) rollJitter() time.Duration {
	if limit := min(o.SegmentJitter, o.SegmentAge); limit > 0 {
		return time.Duration(rand.Int64N(int64(limit)))
	}
	return 0
}
