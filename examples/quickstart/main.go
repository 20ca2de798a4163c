// Command quickstart shows commitlog's record format at work: it builds a
// batch of records with every compression codec, writes the batches to a
// file one after another as a segment holds them, reads the file back with
// a scanner that checks every CRC, and prints what it decoded.
//
//	go run ./examples/quickstart            # in a temporary directory
//	go run ./examples/quickstart -dir data  # keep the file in ./data
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/record"
)

func main() {
	dir := flag.String("dir", "", "directory to keep the data in (default: a temporary directory, removed on exit)")
	flag.Parse()
	if err := run(*dir); err != nil {
		log.Fatal(err)
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
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "batches.log")

	// Build one batch per codec. Offsets follow on from batch to batch, as
	// a log would assign them.
	var segment []byte
	next := int64(0)
	b := record.NewBuilder()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli()
	for _, codec := range []compress.Codec{compress.None, compress.Gzip, compress.Snappy, compress.LZ4, compress.Zstd} {
		b.Reset()
		b.SetCodec(codec)
		b.SetBaseOffset(next)
		for i := range 3 {
			b.Append(record.Record{
				Timestamp: start + next*1000 + int64(i)*1000,
				Key:       fmt.Appendf(nil, "user-%d", i),
				Value:     fmt.Appendf(nil, `{"event":"page_view","codec":%q,"n":%d}`, codec, i),
				Headers:   []record.Header{{Key: []byte("source"), Value: []byte("quickstart")}},
			})
		}
		batch, err := b.Build()
		if err != nil {
			return err
		}
		fmt.Printf("built  %-6s batch: offsets %d-%d, %3d bytes (%d uncompressed)\n",
			codec, batch.BaseOffset(), batch.LastOffset(), len(batch), b.Size())
		segment = append(segment, batch...)
		next = batch.NextOffset()
	}
	if err := os.WriteFile(path, segment, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %d bytes to %s\n\n", len(segment), path)

	// Read the file back as a log's recovery would: every CRC checked.
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := record.NewScanner(data, record.CheckAll)
	var it record.Iterator
	for s.Next() {
		batch := s.Batch()
		fmt.Printf("batch at offset %d, codec %s, %d records\n", batch.BaseOffset(), batch.Attributes().Codec(), batch.RecordCount())
		it.Reset(batch)
		for it.Next() {
			r := it.Record()
			fmt.Printf("  %3d  %s  %s=%s  %s\n", r.Offset, time.UnixMilli(r.Timestamp).UTC().Format(time.TimeOnly), r.Key, r.Value, r.Headers[0].Value)
		}
		if err := it.Err(); err != nil {
			return err
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	fmt.Printf("\n%d of %d bytes are whole, valid batches\n", s.Valid(), len(data))
	return nil
}
