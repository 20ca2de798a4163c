package log

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"

	"github.com/commitlog-go/commitlog/internal/checkpoint"
	"github.com/commitlog-go/commitlog/vfs"
)

// ErrBadCheckpoint is wrapped by the errors of checkpoint files that exist
// but do not parse. Such a file is to be treated as if it were missing.
var ErrBadCheckpoint = errors.New("log: unreadable checkpoint file")

const (
	// epochCheckpointName is the leader-epoch checkpoint's name in the
	// partition directory.
	epochCheckpointName = "leader-epoch-checkpoint"
	// epochCheckpointVersion is the only version of the format.
	epochCheckpointVersion = 0
	// maxCheckpointSize is the largest checkpoint file read. Larger files
	// are refused as bad: no real history comes near it.
	maxCheckpointSize = 16 << 20
)

// checkpointError describes a checkpoint file that does not parse. It
// unwraps to ErrBadCheckpoint.
type checkpointError struct {
	path string // the file, if known
	line int    // 1-based line number, 0 for the file as a whole
	msg  string
}

// Error describes the file, the line and what is wrong with it.
func (e *checkpointError) Error() string {
	s := ErrBadCheckpoint.Error()
	if e.path != "" {
		s += " " + e.path
	}
	if e.line > 0 {
		s += fmt.Sprintf(": line %d", e.line)
	}
	return s + ": " + e.msg
}

// Unwrap returns ErrBadCheckpoint.
func (e *checkpointError) Unwrap() error { return ErrBadCheckpoint }

// errEpochOrder is returned when asked to write entries that are not
// strictly increasing, or negative, which the reader would refuse.
var errEpochOrder = errors.New("log: leader epoch entries not non-negative and strictly increasing")

// appendEpochCheckpoint appends the checkpoint text for entries to dst.
//
// The file is ASCII text, every line ended by a single '\n', every number
// in decimal without sign or leading zeros:
//
//	0\n                      version, always 0
//	<n>\n                    number of entries
//	<epoch> <startOffset>\n  n lines, oldest first, one space between
//
// For example, epochs 0 from offset 0 and 3 from offset 120:
//
//	"0\n2\n0 0\n3 120\n"
func appendEpochCheckpoint(dst []byte, entries []EpochEntry) []byte {
	dst = strconv.AppendInt(dst, epochCheckpointVersion, 10)
	dst = append(dst, '\n')
	dst = strconv.AppendInt(dst, int64(len(entries)), 10)
	dst = append(dst, '\n')
	for _, e := range entries {
		dst = strconv.AppendInt(dst, int64(e.Epoch), 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, e.StartOffset, 10)
		dst = append(dst, '\n')
	}
	return dst
}

// validEpochEntries reports whether entries are non-negative and strictly
// increasing in both epoch and start offset.
func validEpochEntries(entries []EpochEntry) bool {
	for i, e := range entries {
		if e.Epoch < 0 || e.StartOffset < 0 {
			return false
		}
		if i > 0 && (e.Epoch <= entries[i-1].Epoch || e.StartOffset <= entries[i-1].StartOffset) {
			return false
		}
	}
	return true
}

// writeEpochCheckpoint replaces the leader-epoch checkpoint in dir with
// entries, crash-safely (see vfs.WriteFileAtomic): after a crash the file holds
// either its old contents or entries. Entries that are negative or not
// strictly increasing are refused.
func writeEpochCheckpoint(fsys vfs.FS, dir string, entries []EpochEntry) error {
	if !validEpochEntries(entries) {
		return fmt.Errorf("log: writing %s: %w", filepath.Join(dir, epochCheckpointName), errEpochOrder)
	}
	return vfs.WriteFileAtomic(fsys, filepath.Join(dir, epochCheckpointName), appendEpochCheckpoint(nil, entries))
}

// readEpochCheckpoint reads the leader-epoch checkpoint in dir. A missing
// file gives no entries and no error. A file that does not parse, or is
// larger than maxCheckpointSize, gives an error wrapping ErrBadCheckpoint;
// other errors are the filesystem's, wrapped.
func readEpochCheckpoint(fsys vfs.FS, dir string) ([]EpochEntry, error) {
	path := filepath.Join(dir, epochCheckpointName)
	data, err := vfs.ReadFile(fsys, path, maxCheckpointSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, vfs.ErrFileTooLarge):
		return nil, &checkpointError{path: path, msg: fmt.Sprintf("larger than %d bytes", maxCheckpointSize)}
	case err != nil:
		return nil, fmt.Errorf("log: %w", err)
	}
	entries, err := parseEpochCheckpoint(data)
	if err != nil {
		if ce, ok := err.(*checkpointError); ok {
			ce.path = path
		}
		return nil, err
	}
	return entries, nil
}

// parseEpochCheckpoint parses the text of a leader-epoch checkpoint (see
// appendEpochCheckpoint for the format). Errors wrap ErrBadCheckpoint.
//
// The parser accepts only the canonical form, the exact bytes
// appendEpochCheckpoint writes, so that any file it accepts is written back
// unchanged. It refuses what Kafka's reader would let through: signs,
// leading zeros, tabs or repeated spaces, "\r\n" line ends, a last line
// without its '\n', and entries that are negative or not strictly
// increasing in both epoch and offset. A file Kafka wrote on a Unix host
// is canonical.
//
// The one exception is an empty input, which gives no entries and no
// error: Kafka creates the file empty before it first writes it.
//
// The entry count is only trusted once checked against the number of
// lines, so a large count in a small input allocates nothing.
func parseEpochCheckpoint(data []byte) ([]EpochEntry, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if len(data) > maxCheckpointSize {
		return nil, &checkpointError{msg: fmt.Sprintf("larger than %d bytes", maxCheckpointSize)}
	}
	if data[len(data)-1] != '\n' {
		return nil, &checkpointError{msg: "last line has no line end"}
	}
	line, rest, _ := bytes.Cut(data, []byte{'\n'})
	if v, ok := checkpoint.ParseCanonical(line, 31); !ok || v != epochCheckpointVersion {
		return nil, &checkpointError{line: 1, msg: fmt.Sprintf("version %q, want %d", line, epochCheckpointVersion)}
	}
	line, rest, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return nil, &checkpointError{line: 2, msg: "missing entry count"}
	}
	count, ok := checkpoint.ParseCanonical(line, 31)
	if !ok {
		return nil, &checkpointError{line: 2, msg: fmt.Sprintf("bad entry count %q", line)}
	}
	// Every '\n' left ends one entry line: compare before allocating.
	if lines := int64(bytes.Count(rest, []byte{'\n'})); lines != count {
		return nil, &checkpointError{line: 2, msg: fmt.Sprintf("entry count %d but %d entry lines", count, lines)}
	}
	if count == 0 {
		return nil, nil
	}
	entries := make([]EpochEntry, 0, count)
	for i := 3; len(rest) > 0; i++ {
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		e, msg := parseEpochLine(line)
		if msg == "" && len(entries) > 0 {
			prev := entries[len(entries)-1]
			if e.Epoch <= prev.Epoch || e.StartOffset <= prev.StartOffset {
				msg = fmt.Sprintf("entry %q does not follow %d %d", line, prev.Epoch, prev.StartOffset)
			}
		}
		if msg != "" {
			return nil, &checkpointError{line: i, msg: msg}
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// parseEpochLine parses one entry line, without its '\n'. On failure it
// returns a description of the problem.
func parseEpochLine(line []byte) (EpochEntry, string) {
	epoch, offset, ok := bytes.Cut(line, []byte{' '})
	if !ok {
		return EpochEntry{}, fmt.Sprintf("entry %q is not two fields", line)
	}
	e, ok := checkpoint.ParseCanonical(epoch, 31)
	if !ok {
		return EpochEntry{}, fmt.Sprintf("bad epoch in %q", line)
	}
	o, ok := checkpoint.ParseCanonical(offset, 63)
	if !ok {
		return EpochEntry{}, fmt.Sprintf("bad start offset in %q", line)
	}
	return EpochEntry{Epoch: int32(e), StartOffset: o}, ""
}
