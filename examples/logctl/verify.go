package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

const verifyAbout = `
Check every segment of every partition of every topic in -dir, or of topic
NAME: every batch's header and CRC-32C (and with -deep every record), that
offsets increase from batch to batch and from segment to segment, and that
every partition directory the topic's metadata names exists. Print one line
a partition:

  orders-0: OK: segments 2, batches 10, records 100, bytes 12345
  orders-1: CORRUPT: segments 1, batches 3, records 30, bytes 4000: orders-1/00000000000000000000.log: corrupt batch at byte 812: crc mismatch: ...

(counts are of the valid batches), then a total. The exit status is 1 if
anything is corrupt, torn tails included: the registry's crash recovery
would cut the log there, losing what follows.

verify reads the files directly: it takes no lock, opens nothing for
writing and repairs nothing, so it runs on a registry in use by another
process and on a copy of one. On a registry being written to, a batch being
appended at that moment may show as a torn tail.`

func (e *env) verify(args []string) error {
	c := e.flags("verify", "verify [-deep] [NAME]", verifyAbout)
	deep := c.Bool("deep", false, "also decode every record of every batch, decompressing compressed ones")
	only, err := c.parseName(args, true)
	if err != nil {
		return err
	}
	if _, err := os.Stat(e.dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no registry at %s: the directory does not exist", e.dir)
	}
	topics, err := topic.ListStored(vfs.Default, e.dir)
	if err != nil {
		return fmt.Errorf("reading registry: %w", err)
	}
	if only != "" {
		i := slices.IndexFunc(topics, func(t topic.StoredTopic) bool { return t.Name == only })
		if i < 0 {
			return fmt.Errorf("verify: %w %q: no metadata file in %s", topic.ErrUnknownTopic, only, e.dir)
		}
		topics = topics[i : i+1]
	}
	if len(topics) == 0 {
		fmt.Fprintf(e.stdout, "no topics in %s\n", e.dir)
		return nil
	}
	var partitions, corrupt int
	for _, t := range topics {
		p, c := verifyTopic(e.stdout, e.dir, t, *deep)
		partitions += p
		corrupt += c
	}
	if corrupt > 0 {
		fmt.Fprintf(e.stdout, "verified %s, %s: %d CORRUPT\n", count(len(topics), "topic"), count(partitions, "partition"), corrupt)
		return fmt.Errorf("verify: damage in %d of %d partitions", corrupt, partitions)
	}
	fmt.Fprintf(e.stdout, "verified %s, %s: OK\n", count(len(topics), "topic"), count(partitions, "partition"))
	return nil
}

// verifyTopic verifies the partitions of topic t and prints a line for
// each. It returns the count of partitions and of corrupt ones (a topic
// whose metadata is unreadable counts as one corrupt partition).
func verifyTopic(w io.Writer, root string, t topic.StoredTopic, deep bool) (partitions, corrupt int) {
	if t.Err != nil {
		fmt.Fprintf(w, "%s: CORRUPT: %s\n", t.Name, t.Err)
		return 1, 1
	}
	if t.State != "ready" {
		fmt.Fprintf(w, "%s: skipped: state %q, an interrupted create or delete; the registry removes the topic when next opened\n", t.Name, t.State)
		return 0, 0
	}
	for _, dir := range t.Dirs {
		r := verifyPartition(root, filepath.Base(dir), deep)
		partitions++
		if len(r.problems) > 0 {
			corrupt++
		}
		r.write(w)
	}
	for _, dir := range t.Extra {
		fmt.Fprintf(w, "%s: ignored: beyond the topic's %d partitions, left by an interrupted AddPartitions; the registry removes it when next opened\n", filepath.Base(dir), len(t.Dirs))
	}
	return partitions, corrupt
}

// partitionReport is what verify found in one partition.
type partitionReport struct {
	name                               string // the directory: <topic>-<index>
	segments, batches, records, nbytes int64
	problems                           []string
}

func (r *partitionReport) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *partitionReport) write(w io.Writer) {
	status := "OK"
	if len(r.problems) > 0 {
		status = "CORRUPT"
	}
	fmt.Fprintf(w, "%s: %s: segments %d, batches %d, records %d, bytes %d", r.name, status, r.segments, r.batches, r.records, r.nbytes)
	for i, p := range r.problems {
		if i == 0 {
			fmt.Fprintf(w, ": %s\n", p)
		} else {
			fmt.Fprintf(w, "  and %s\n", p)
		}
	}
	if len(r.problems) == 0 {
		fmt.Fprintln(w)
	}
}

// verifyPartition checks every segment of the partition in <root>/<dir>.
func verifyPartition(root, dir string, deep bool) partitionReport {
	r := partitionReport{name: dir}
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		r.problem("partition directory: %v", err)
		return r
	}
	var bases []int64
	for _, ent := range entries {
		if base, ext, ok := segment.ParseFileName(ent.Name()); ok && ext == segment.LogExt {
			bases = append(bases, base)
		}
	}
	slices.Sort(bases)
	var it record.Iterator
	next := int64(-1) // the offset the next batch may not start below; -1: unknown
	for _, base := range bases {
		file := filepath.Join(dir, segment.FileName(base, segment.LogExt))
		if next > base {
			r.problem("%s: the segment starts at offset %d, below offset %d where the previous one ends", file, base, next)
		}
		next = max(next, base)
		if !verifySegment(&r, &it, filepath.Join(root, file), file, &next, deep) {
			next = -1 // continuity is unknown after damage
		}
	}
	return r
}

// verifySegment checks one segment file and adds what it holds to r.
// next is where the previous batch ended; it is moved past each batch. It
// reports false if the segment is damaged.
func verifySegment(r *partitionReport, it *record.Iterator, path, file string, next *int64, deep bool) bool {
	f, size, err := openLogFile(path)
	if err != nil {
		r.problem("%s: %v", file, err)
		return false
	}
	defer f.Close()
	r.segments++
	r.nbytes += size
	base := *next
	bs := newBatchScanner(f, size, record.CheckAll)
	for bs.Next() {
		b, pos := bs.Batch(), bs.Pos()
		if b.BaseOffset() < base {
			r.problem("%s: batch at byte %d starts at offset %d, below offset %d where the previous batch ends (or the segment's base offset)", file, pos, b.BaseOffset(), base)
			return false
		}
		if deep {
			it.Reset(b)
			for it.Next() {
			}
			if err := it.Err(); err != nil {
				r.problem("%s: batch at byte %d (offset %d): %s", file, pos, b.BaseOffset(), reason(err))
				return false
			}
		}
		r.batches++
		r.records += int64(b.RecordCount())
		base = b.NextOffset()
		*next = base
	}
	if err := bs.Err(); err != nil {
		if what, ok := stopReason(err); ok {
			r.problem("%s: %s", file, what)
		} else {
			r.problem("%s: %v", file, err)
		}
		return false
	}
	return true
}

// count writes n things, in the plural unless n is 1.
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
