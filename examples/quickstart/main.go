// Command quickstart shows commitlog at work on a partition's log: it
// appends batches of records compressed with every codec, reads them back
// from an offset and from a point in time, closes the log and opens it
// again, and prints what it finds on disk. Then it follows a second log
// with a reader that blocks at the log end until appends wake it, and lets
// size retention drop the oldest segments.
//
//	go run ./examples/quickstart            # in a temporary directory
//	go run ./examples/quickstart -dir data  # keep the log in ./data
package main

import (
	"context"
	"flag"
	"fmt"
	stdlog "log"
	"os"
	"path/filepath"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
)

func main() {
	dir := flag.String("dir", "", "directory to keep the log in (default: a temporary directory, removed on exit)")
	flag.Parse()
	if err := run(*dir); err != nil {
		stdlog.Fatal(err)
	}
}

func run(dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "commitlog-quickstart-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	logDir := filepath.Join(dir, "page-views-0")

	// Small segments, so that a few batches already make several files,
	// and an fsync before every append returns.
	opts := log.Options{SegmentBytes: 600, Flush: log.FlushAlways}
	l, err := log.Open(logDir, opts)
	if err != nil {
		return err
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b := record.NewBuilder()
	for n, codec := range []compress.Codec{compress.None, compress.Gzip, compress.Snappy, compress.LZ4, compress.Zstd} {
		b.Reset()
		b.SetCodec(codec)
		for i := range 3 {
			at := start.Add(time.Duration(n*3+i) * time.Minute)
			b.Append(record.Record{
				Timestamp: at.UnixMilli(),
				Key:       fmt.Appendf(nil, "user-%d", i),
				Value:     fmt.Appendf(nil, `{"page":"/docs/%d","codec":%q}`, n*3+i, codec),
				Headers:   []record.Header{{Key: []byte("source"), Value: []byte("quickstart")}},
			})
		}
		batch, err := b.Build()
		if err != nil {
			return err
		}
		info, err := l.Append(batch) // the log assigns the offsets
		if err != nil {
			return err
		}
		fmt.Printf("appended %-6s batch: offsets %2d-%2d, %3d bytes\n", codec, info.FirstOffset, info.LastOffset, len(batch))
	}
	if err := l.Close(); err != nil {
		return err
	}

	// Open it again: after a clean close nothing needs recovering.
	l, err = log.Open(logDir, opts)
	if err != nil {
		return err
	}
	fmt.Printf("\nreopened %s: offsets %d to %d in %d segments, %d bytes\n",
		logDir, l.LogStartOffset(), l.LogEndOffset()-1, l.NumSegments(), l.Size())

	fmt.Println("\nfrom offset 4:")
	if err := printFrom(l, 4); err != nil {
		return err
	}
	at := start.Add(10 * time.Minute)
	offset, found, err := l.OffsetForTimestamp(at.UnixMilli())
	if err != nil || !found {
		return fmt.Errorf("no record at or after %v: %w", at, err)
	}
	fmt.Printf("\nfrom %s (offset %d):\n", at.Format(time.TimeOnly), offset)
	if err := printFrom(l, offset); err != nil {
		return err
	}
	if err := l.Close(); err != nil {
		return err
	}

	// After a clean close: the segments, their indexes trimmed to their
	// entries, and the marker that lets the next Open skip recovery.
	if err := listFiles(logDir); err != nil {
		return err
	}
	return tailAndRetain(filepath.Join(dir, "clicks-0"))
}

// listFiles prints the files of a log directory.
func listFiles(logDir string) error {
	entries, err := os.ReadDir(logDir)
	if err != nil {
		return err
	}
	fmt.Println("\nfiles:")
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return err
		}
		fmt.Printf("  %-32s %5d bytes\n", e.Name(), info.Size())
	}
	return nil
}

func printFrom(l *log.Log, offset int64) error {
	r := l.NewReader(offset)
	for r.Next() {
		rec := r.Record()
		fmt.Printf("  %2d  %s  %s  %s\n", rec.Offset, time.UnixMilli(rec.Timestamp).UTC().Format(time.TimeOnly), rec.Key, rec.Value)
	}
	return r.Err()
}

// tailAndRetain follows a log with a blocking reader while records are
// appended, then lets size retention drop the oldest segments.
func tailAndRetain(logDir string) error {
	l, err := log.Open(logDir, log.Options{SegmentBytes: 150, RetentionBytes: 200, RetentionAge: -1})
	if err != nil {
		return err
	}
	defer l.Close()

	fmt.Println("\na reader blocked at the log end, woken by each append:")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r := l.NewReader(0)
		for seen := 0; seen < 12; {
			for r.Next() {
				fmt.Printf("  read offset %2d: %s\n", r.Record().Offset, r.Record().Value)
				seen++
			}
			if err := r.Err(); err != nil {
				done <- err
				return
			}
			if seen < 12 {
				if err := r.Wait(ctx); err != nil { // no polling: the append wakes it
					done <- err
					return
				}
			}
		}
		done <- nil
	}()
	for i := range 4 {
		time.Sleep(20 * time.Millisecond)
		recs := make([]record.Record, 3)
		for j := range recs {
			recs[j] = record.Record{Timestamp: time.Now().UnixMilli(), Value: fmt.Appendf(nil, "click %d", i*3+j)}
		}
		if _, err := l.AppendRecords(recs...); err != nil {
			return err
		}
	}
	if err := <-done; err != nil {
		return err
	}

	before := l.NumSegments()
	res, err := l.EnforceRetention() // normally every few minutes, in the background
	if err != nil {
		return err
	}
	fmt.Printf("\nretention by size (keep at least 200 bytes): %d of %d segments deleted, %d bytes;\n"+
		"the log now holds offsets %d to %d in %d bytes\n",
		res.Segments, before, res.Bytes, l.LogStartOffset(), l.LogEndOffset()-1, l.Size())
	return nil
}
