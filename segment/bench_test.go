package segment

import (
	"math/rand/v2"
	"testing"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// BenchmarkAppend appends batches of 100 records of 100 bytes to a
// segment on the OS filesystem: the write and the index entries, no
// fsync.
func BenchmarkAppend(b *testing.B) {
	s, err := Create(vfs.Default, b.TempDir(), 0, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Release()
	batch := batchAt(b, 0, 100, 100)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	off := int64(0)
	for b.Loop() {
		// The batch's base offset must follow the segment's end.
		record.Batch(batch).SetBaseOffset(off)
		if err := s.Append(batch); err != nil {
			b.Fatal(err)
		}
		off += 100
	}
}

// BenchmarkLocate finds the batch holding a random offset among 100,000
// records in batches of 100: an index lookup and a walk over batch
// headers through the memory map.
func BenchmarkLocate(b *testing.B) {
	s, err := Create(vfs.Default, b.TempDir(), 0, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Release()
	for off := int64(0); off < 100_000; off += 100 {
		if err := s.Append(batchAt(b, off, 100, 100)); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, locateBufSize)
	b.ReportAllocs()
	for b.Loop() {
		off := rng.Int64N(100_000)
		pos, found, err := s.Locate(off, s.Size(), buf)
		if err != nil || !found || pos.BaseOffset > off || pos.LastOffset < off {
			b.Fatal("offset", off, "not found:", err)
		}
	}
}
