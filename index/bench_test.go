package index

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/commitlog-go/commitlog/vfs"
)

const benchMaxBytes = 10 << 20 // Kafka's default segment.index.bytes

func BenchmarkOffsetIndexAppend(b *testing.B) {
	x, err := OpenOffsetIndex(vfs.NewMem(), "/a.index", 0, benchMaxBytes, true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var off int64
	for b.Loop() {
		if x.Full() {
			x.Reset()
			off = 0
		}
		off++
		if err := x.Append(off*10, off*1000); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTimeIndexAppend(b *testing.B) {
	x, err := OpenTimeIndex(vfs.NewMem(), "/a.timeindex", 0, benchMaxBytes, true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var off int64
	for b.Loop() {
		if x.Full() {
			x.Reset()
			off = 0
		}
		off++
		if err := x.Append(1_700_000_000_000+off, off*10, false); err != nil {
			b.Fatal(err)
		}
	}
}

// benchTargets returns random lookup keys in [lo, hi).
func benchTargets(lo, hi int64) []int64 {
	rng := rand.New(rand.NewPCG(1, 2))
	ts := make([]int64, 1<<16)
	for i := range ts {
		ts[i] = lo + rng.Int64N(hi-lo)
	}
	return ts
}

func BenchmarkOffsetIndexLookup(b *testing.B) {
	const n = 100_000
	x, err := OpenOffsetIndex(vfs.NewMem(), "/a.index", 0, n*OffsetEntrySize, true)
	if err != nil {
		b.Fatal(err)
	}
	for i := range int64(n) {
		if err := x.Append(i*10+9, (i+1)*4100); err != nil {
			b.Fatal(err)
		}
	}
	targets := benchTargets(0, n*10)
	b.ReportAllocs()
	var sink int64
	i := 0
	for b.Loop() {
		sink += x.Lookup(targets[i&(len(targets)-1)]).Position
		i++
	}
	_ = sink
}

func BenchmarkTimeIndexLookup(b *testing.B) {
	const n = 100_000
	x, err := OpenTimeIndex(vfs.NewMem(), "/a.timeindex", 0, (n+1)*TimeEntrySize, true)
	if err != nil {
		b.Fatal(err)
	}
	for i := range int64(n) {
		if err := x.Append(1_700_000_000_000+i*1000, i*10+9, false); err != nil {
			b.Fatal(err)
		}
	}
	targets := benchTargets(1_700_000_000_000, 1_700_000_000_000+n*1000)
	b.ReportAllocs()
	var sink int64
	i := 0
	for b.Loop() {
		sink += x.Lookup(targets[i&(len(targets)-1)]).Offset
		i++
	}
	_ = sink
}

// sealedOffsetIndex writes a sealed offset index of n entries in dir.
func sealedOffsetIndex(b *testing.B, dir string, n int) string {
	path := filepath.Join(dir, fmt.Sprintf("%020d.index", 0))
	x, err := OpenOffsetIndex(vfs.Default, path, 0, n*OffsetEntrySize, true)
	if err != nil {
		b.Fatal(err)
	}
	for i := range int64(n) {
		if err := x.Append(i*10+9, (i+1)*100); err != nil {
			b.Fatal(err)
		}
	}
	if err := x.Seal(); err != nil {
		b.Fatal(err)
	}
	if err := x.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func BenchmarkOpenOffsetIndex(b *testing.B) {
	const n = 1_000_000
	path := sealedOffsetIndex(b, b.TempDir(), n)
	b.SetBytes(n * OffsetEntrySize)
	b.ReportAllocs()
	for b.Loop() {
		x, err := OpenOffsetIndex(vfs.Default, path, 0, benchMaxBytes, false)
		if err != nil {
			b.Fatal(err)
		}
		if x.Len() != n {
			b.Fatal(x.Len())
		}
	}
}

func BenchmarkOpenTimeIndex(b *testing.B) {
	const n = 1_000_000
	path := filepath.Join(b.TempDir(), fmt.Sprintf("%020d.timeindex", 0))
	x, err := OpenTimeIndex(vfs.Default, path, 0, (n+1)*TimeEntrySize, true)
	if err != nil {
		b.Fatal(err)
	}
	for i := range int64(n) {
		if err := x.Append(1_700_000_000_000+i, i*10, false); err != nil {
			b.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n * TimeEntrySize)
	b.ReportAllocs()
	for b.Loop() {
		x, err := OpenTimeIndex(vfs.Default, path, 0, benchMaxBytes, false)
		if err != nil {
			b.Fatal(err)
		}
		if x.Len() != n {
			b.Fatal(x.Len())
		}
	}
}
