package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
)

const dumpAbout = `
Print every batch of each segment file FILE (a partition's NNN.log), one line
a batch, as kafka-dump-log does:

  baseOffset: 0 lastOffset: 9 count: 10 position: 0 size: 231 leaderEpoch: 0
  firstTimestamp: 2026-01-02T03:00:00.000Z maxTimestamp: 2026-01-02T03:00:09.000Z
  codec: none timestampType: CreateTime crc: 0x5e1c0d2a ok

(on one line), then a summary. A batch whose CRC or fields are wrong is
printed with "BAD: " and what is wrong, and the dump goes on past it while its
length can be trusted. A tail cut off by the end of the file (a torn write) or
a header that cannot be walked past ends the dump with "BAD: " and the byte
position. The exit status is 1 if anything was BAD.

The file is opened read-only and no lock is taken, so dump works on a
segment in use and on copies; -dir is accepted and ignored.`

func (e *env) dump(args []string) error {
	c := e.flags("dump", "dump [-records] FILE...", dumpAbout)
	records := c.Bool("records", false, "also print every record: offset, timestamp, key and value (quoted as Go strings)")
	files, err := c.parse(args, 1, -1)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	var bad []string
	for i, path := range files {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := dumpFile(w, path, *records); err != nil {
			var de *damageError
			if !errors.As(err, &de) {
				return err
			}
			bad = append(bad, path)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("dump: damage in %d of %d files: %s", len(bad), len(files), strings.Join(bad, ", "))
	}
	return nil
}

// damageError says that a file holds bad batches; what they are was
// printed with the dump.
type damageError struct{ path string }

func (e *damageError) Error() string { return e.path + ": damaged" }

// dumpFile writes the batches of one .log file to w. It returns a
// *damageError if any is bad.
func dumpFile(w io.Writer, path string, records bool) error {
	if _, ext, ok := segment.ParseFileName(filepath.Base(path)); ok && (ext == segment.IndexExt || ext == segment.TimeIndexExt) {
		return fmt.Errorf("%s is an index; dump reads the batches of .log files", path)
	}
	f, size, err := openLogFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(w, "Dumping %s (%d bytes)\n", path, size)

	// Walk by headers only, and check each batch here: a batch with a bad
	// CRC is reported and passed, as long as its length leads to a batch.
	bs := newBatchScanner(f, size, record.CheckHeader)
	var it record.Iterator
	var batches, count, good int64
	damaged := false
	for bs.Next() {
		b, pos := bs.Batch(), bs.Pos()
		batches++
		status := "ok"
		verr := b.Validate()
		if verr != nil {
			damaged = true
			status = "BAD: " + reason(verr)
		} else {
			count += int64(b.RecordCount())
			good += int64(b.Size())
		}
		fmt.Fprintf(w, "baseOffset: %d lastOffset: %d count: %d position: %d size: %d leaderEpoch: %d firstTimestamp: %s maxTimestamp: %s codec: %s timestampType: %s crc: %#08x %s\n",
			b.BaseOffset(), b.LastOffset(), b.RecordCount(), pos, b.Size(), b.PartitionLeaderEpoch(),
			formatMillis(b.BaseTimestamp()), formatMillis(b.MaxTimestamp()),
			b.Attributes().Codec(), b.Attributes().TimestampType(), b.CRC(), status)
		if records && verr == nil {
			if err := dumpRecords(w, &it, b); err != nil {
				damaged = true
				fmt.Fprintf(w, "| BAD: %s\n", reason(err))
			}
		}
	}
	if err := bs.Err(); err != nil {
		what, ok := stopReason(err)
		if !ok {
			return fmt.Errorf("%s: %w", path, err)
		}
		damaged = true
		fmt.Fprintf(w, "BAD: %s\n", what)
	}
	fmt.Fprintf(w, "%d batches, %d records in valid batches, %d of %d bytes in valid batches\n", batches, count, good, size)
	if damaged {
		return &damageError{path}
	}
	return nil
}

// dumpRecords writes the records of a valid batch, one line each.
func dumpRecords(w io.Writer, it *record.Iterator, b record.Batch) error {
	it.Reset(b)
	for it.Next() {
		r := it.Record()
		fmt.Fprintf(w, "| offset: %d timestamp: %s key: %s value: %s headers: %d\n",
			r.Offset, formatMillis(r.Timestamp), quote(r.Key), quote(r.Value), len(r.Headers))
	}
	return it.Err()
}

// quote writes bytes as a Go string, or null for nil.
func quote(b []byte) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprintf("%q", b)
}

// reason is what an error of the record package says is wrong, without
// the position prefix that the dump prints already.
func reason(err error) string {
	var ce *record.CorruptError
	if errors.As(err, &ce) {
		if ce.Err != nil {
			return ce.Reason + ": " + ce.Err.Error()
		}
		return ce.Reason
	}
	return err.Error()
}
