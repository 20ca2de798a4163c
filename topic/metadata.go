package topic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// A topic's metadata lives in <root>/<name>.topic, one JSON document
// and a newline (nothing but white space may follow the document),
// replaced crash-safely (vfs.WriteFileAtomic) at each change of state:
//
//	{
//	  "version": 2,
//	  "name": "orders",
//	  "topic_id": "b8tRS7h4TJ2Vt43Dp85v2A",  the topic's ID (see ID.String)
//	  "state": "ready",            creating | ready | deleting
//	  "partitions": 8,
//	  "config": {                  Kafka's names; sizes in bytes, times in ms
//	    "segment.bytes": 1073741824, "segment.index.bytes": 10485760,
//	    "segment.ms": 604800000, "segment.jitter.ms": 0,
//	    "retention.ms": 604800000, "retention.bytes": -1,
//	    "compression.type": "zstd", "flush.policy": "never",
//	    "flush.messages": 10000, "flush.ms": 1000,
//	    "max.message.bytes": 1048588, "message.timestamp.type": "CreateTime"
//	  }
//	}
//
// The partitions' directories, <root>/<name>-<index>, hold their logs.
// The state makes creation and deletion crash-safe: a topic found
// "creating" is rolled back on Open, one found "deleting" is deleted, and
// directories of a "ready" topic numbered at or past its partition count
// are what an interrupted AddPartitions left, and are removed.
//
// Version 1, written before topics had IDs, is version 2 without
// "topic_id" (and, in its first files, without "segment.jitter.ms", which
// reads as 0). A writable Open gives each ready topic of version 1 a new
// ID and rewrites its file as version 2, crash-safely like any other
// change; a read-only Open reports the zero ID for it.
const (
	metadataExt = ".topic"
	// metadataVersion is the version written; metadataVersionNoID, the
	// one before it, is still read.
	metadataVersion     = 2
	metadataVersionNoID = 1
	// maxMetadataSize bounds the metadata file read on Open.
	maxMetadataSize = 64 << 10
)

// The states of a topic's metadata.
const (
	stateCreating = "creating"
	stateReady    = "ready"
	stateDeleting = "deleting"
)

type metadata struct {
	Version    int            `json:"version"`
	Name       string         `json:"name"`
	ID         ID             `json:"topic_id,omitzero"`
	State      string         `json:"state"`
	Partitions int32          `json:"partitions"`
	Config     metadataConfig `json:"config"`
}

type metadataConfig struct {
	SegmentBytes    int64           `json:"segment.bytes"`
	SegmentIndex    int             `json:"segment.index.bytes"`
	SegmentMs       int64           `json:"segment.ms"`
	SegmentJitterMs int64           `json:"segment.jitter.ms"`
	RetentionMs     int64           `json:"retention.ms"`
	RetentionBytes  int64           `json:"retention.bytes"`
	Compression     compress.Codec  `json:"compression.type"`
	Flush           log.FlushPolicy `json:"flush.policy"`
	FlushMessages   int64           `json:"flush.messages"`
	FlushMs         int64           `json:"flush.ms"`
	MaxMessageBytes int             `json:"max.message.bytes"`
	TimestampType   string          `json:"message.timestamp.type"`
}

// metadataPath is the metadata file of topic name under root.
func metadataPath(root, name string) string { return filepath.Join(root, name+metadataExt) }

// partitionDir is the directory of one partition under root.
func partitionDir(root, name string, index int) string {
	return filepath.Join(root, fmt.Sprintf("%s-%d", name, index))
}

// newMetadata describes topic id called name with a defaulted config.
func newMetadata(name, state string, id ID, cfg Config) metadata {
	ms := func(d time.Duration) int64 {
		if d < 0 {
			return -1
		}
		return d.Milliseconds()
	}
	retentionBytes := cfg.RetentionBytes
	if retentionBytes <= 0 {
		retentionBytes = -1
	}
	return metadata{
		Version: metadataVersion, Name: name, ID: id, State: state, Partitions: cfg.Partitions,
		Config: metadataConfig{
			SegmentBytes: cfg.SegmentBytes, SegmentIndex: cfg.SegmentIndexBytes, SegmentMs: ms(cfg.SegmentAge),
			SegmentJitterMs: ms(cfg.SegmentJitter),
			RetentionMs:     ms(cfg.RetentionAge), RetentionBytes: retentionBytes,
			Compression: cfg.Compression, Flush: cfg.Flush,
			FlushMessages: cfg.FlushRecords, FlushMs: ms(cfg.FlushInterval),
			MaxMessageBytes: cfg.MaxMessageBytes, TimestampType: cfg.TimestampType.String(),
		},
	}
}

// config returns the Config m describes.
func (m metadata) config() (Config, error) {
	var bad error
	dur := func(name string, ms int64) time.Duration {
		switch {
		case ms < 0:
			return -1
		case ms > math.MaxInt64/int64(time.Millisecond):
			bad = fmt.Errorf("%s %d is out of range", name, ms)
		}
		return time.Duration(ms) * time.Millisecond
	}
	c := m.Config
	cfg := Config{
		Partitions: m.Partitions, SegmentBytes: c.SegmentBytes, SegmentIndexBytes: c.SegmentIndex,
		SegmentAge:    dur("segment.ms", c.SegmentMs),
		SegmentJitter: dur("segment.jitter.ms", c.SegmentJitterMs),
		RetentionAge:  dur("retention.ms", c.RetentionMs), RetentionBytes: max(c.RetentionBytes, 0),
		Compression: c.Compression, Flush: c.Flush, FlushRecords: c.FlushMessages,
		FlushInterval: dur("flush.ms", c.FlushMs), MaxMessageBytes: c.MaxMessageBytes,
	}
	if bad != nil {
		return Config{}, bad
	}
	switch c.TimestampType {
	case record.CreateTime.String():
		cfg.TimestampType = record.CreateTime
	case record.LogAppendTime.String():
		cfg.TimestampType = record.LogAppendTime
	default:
		return Config{}, fmt.Errorf("unknown message.timestamp.type %q", c.TimestampType)
	}
	return cfg, nil
}

// writeMetadata replaces the metadata file of m.Name crash-safely.
func writeMetadata(fsys vfs.FS, root string, m metadata) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("topic: encoding the metadata of %q: %w", m.Name, err)
	}
	if err := vfs.WriteFileAtomic(fsys, metadataPath(root, m.Name), append(data, '\n')); err != nil {
		return fmt.Errorf("topic: writing the metadata of %q: %w", m.Name, err)
	}
	return nil
}

// MetadataError reports a topic metadata file that does not parse, or
// that describes something impossible. It unwraps to ErrBadMetadata.
type MetadataError struct {
	Path string
	Err  error
}

// Error names the file and the problem.
func (e *MetadataError) Error() string {
	return fmt.Sprintf("topic: unreadable metadata %s: %v", e.Path, e.Err)
}

// Unwrap returns ErrBadMetadata.
func (e *MetadataError) Unwrap() error { return ErrBadMetadata }

// readMetadata reads the metadata of topic name under root.
func readMetadata(fsys vfs.FS, root, name string) (metadata, Config, error) {
	path := metadataPath(root, name)
	data, err := vfs.ReadFile(fsys, path, maxMetadataSize)
	if err != nil {
		if errors.Is(err, vfs.ErrFileTooLarge) {
			return metadata{}, Config{}, &MetadataError{Path: path, Err: err}
		}
		return metadata{}, Config{}, fmt.Errorf("topic: reading the metadata of %q: %w", name, err)
	}
	m, cfg, err := parseMetadata(data, name)
	if err != nil {
		return metadata{}, Config{}, &MetadataError{Path: path, Err: err}
	}
	return m, cfg, nil
}

// parseMetadata decodes a metadata file expected to describe topic name
// and checks what it says.
func parseMetadata(data []byte, name string) (metadata, Config, error) {
	var m metadata
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, Config{}, err
	}
	// The decoder stops after the first value; the writer ends the file
	// with a newline, and JSON's white space is all that may follow.
	if end := dec.InputOffset(); len(bytes.TrimLeft(data[end:], " \t\r\n")) > 0 {
		return m, Config{}, fmt.Errorf("data after the JSON value at byte %d", end)
	}
	switch {
	case m.Version != metadataVersion && m.Version != metadataVersionNoID:
		return m, Config{}, fmt.Errorf("version %d, want %d or %d", m.Version, metadataVersionNoID, metadataVersion)
	case m.Version == metadataVersionNoID && !m.ID.IsZero():
		return m, Config{}, fmt.Errorf("version %d has no topic_id, yet it says %s", m.Version, m.ID)
	case m.Version == metadataVersion && m.ID.IsZero():
		return m, Config{}, fmt.Errorf("version %d without a topic_id", m.Version)
	case m.Name != name:
		return m, Config{}, fmt.Errorf("names topic %q, not %q", m.Name, name)
	case m.State != stateCreating && m.State != stateReady && m.State != stateDeleting:
		return m, Config{}, fmt.Errorf("unknown state %q", m.State)
	}
	cfg, err := m.config()
	if err != nil {
		return m, Config{}, err
	}
	if err := cfg.validate(); err != nil {
		return m, Config{}, err
	}
	return m, cfg, nil
}

// topicNames lists the topics whose metadata files are in names, the
// entries of the registry's directory.
func topicNames(names []string) []string {
	var topics []string
	for _, n := range names {
		if t, ok := strings.CutSuffix(n, metadataExt); ok && ValidateName(t) == nil {
			topics = append(topics, t)
		}
	}
	return topics
}

// isNotExist reports whether err says a file does not exist.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
