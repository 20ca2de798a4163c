//go:build linux

package index

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/commitlog-go/commitlog/vfs"
)

// The benchmarks in this file weigh the package's design (entries in a Go
// slice, written with one pwrite per flush) against the one Kafka uses (the
// index file mapped into memory, entries written into the mapping and
// searched in place). The mapped index here is a minimal one, just enough
// to measure: it lives only in this file.
//
//	go test -run '^$' -bench IndexDesign -count 5 ./index
//
// Three operations, each on a real file in a temporary directory:
//
//	op=append1M  a new index preallocated to 10 MiB, 1M entries appended,
//	             then made durable (Flush: one WriteAt and fdatasync; mapped:
//	             msync(MS_SYNC)). One op is the whole run.
//	op=lookup    one lookup of a random offset among 1M entries of a sealed
//	             index already open (and warmed up).
//	op=open      open a sealed index of 1M entries (8 MB, in the page
//	             cache) and do one lookup, then close it.

const (
	designEntries  = 1_000_000
	designMaxBytes = 10 << 20
)

// mmapIndex is an offset index mapped into memory.
type mmapIndex struct {
	f    *os.File
	data []byte
	n    int // entries in use
	base int64
}

// openMmap maps the file at path: read-write and preallocated to size
// bytes for appending, or read-only as it is.
func openMmap(path string, base int64, size int, writable bool) (*mmapIndex, error) {
	flag, prot := os.O_RDONLY, unix.PROT_READ
	if writable {
		flag, prot = os.O_RDWR|os.O_CREATE, unix.PROT_READ|unix.PROT_WRITE
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	m := &mmapIndex{f: f, base: base}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if writable {
		if err := f.Truncate(int64(size)); err != nil {
			f.Close()
			return nil, err
		}
	} else {
		size = int(info.Size())
		m.n = size / OffsetEntrySize
	}
	m.data, err = unix.Mmap(int(f.Fd()), 0, size, prot, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, err
	}
	// The check Kafka makes on a mapped index: whole entries, and a last
	// entry at or above the base.
	if size%OffsetEntrySize != 0 || (m.n > 0 && int32(be.Uint32(m.data[(m.n-1)*OffsetEntrySize:])) < 0) {
		m.close()
		return nil, fmt.Errorf("corrupt %s", path)
	}
	return m, nil
}

func (m *mmapIndex) append(offset, position int64) {
	b := m.data[m.n*OffsetEntrySize:]
	be.PutUint32(b[offsetRelativeAt:], uint32(offset-m.base))
	be.PutUint32(b[offsetPositionAt:], uint32(position))
	m.n++
}

func (m *mmapIndex) lookup(target int64) OffsetEntry {
	rel := target - m.base
	if rel < 0 {
		return OffsetEntry{Offset: m.base}
	}
	rel = min(rel, maxRelative)
	lo, hi := 0, m.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if int64(be.Uint32(m.data[mid*OffsetEntrySize:])) <= rel {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return OffsetEntry{Offset: m.base}
	}
	e := m.data[(lo-1)*OffsetEntrySize:]
	return OffsetEntry{
		Offset:   m.base + int64(be.Uint32(e[offsetRelativeAt:])),
		Position: int64(be.Uint32(e[offsetPositionAt:])),
	}
}

func (m *mmapIndex) sync() error { return unix.Msync(m.data, unix.MS_SYNC) }

func (m *mmapIndex) close() error {
	err := unix.Munmap(m.data)
	if cerr := m.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// packedIndex is a third design, measured for comparison only: entries
// kept in memory as the file's own bytes (8 per entry, big-endian), so
// that opening is one read into the array plus the sanity check, a flush
// is one write straight from it, and a lookup searches it as the mapped
// index searches its mapping.
type packedIndex struct {
	f       vfs.File
	buf     []byte
	written int // bytes of buf in the file
	base    int64
}

func createPacked(path string, base int64, size int) (*packedIndex, error) {
	f, err := vfs.Default.OpenReadWrite(path)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, err
	}
	return &packedIndex{f: f, base: base}, nil
}

func openPacked(path string, base int64) (*packedIndex, error) {
	f, err := vfs.Default.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, info.Size())
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	// The same sanity check as the package's, without decoding into
	// a second array.
	n := (lastNonZero(buf) + OffsetEntrySize) / OffsetEntrySize
	prevRel, prevPos := int32(-1), int32(-1)
	for i := range n {
		rel := int32(be.Uint32(buf[i*OffsetEntrySize:]))
		pos := int32(be.Uint32(buf[i*OffsetEntrySize+offsetPositionAt:]))
		if rel <= prevRel || pos <= prevPos {
			return nil, fmt.Errorf("corrupt %s at %d", path, i)
		}
		prevRel, prevPos = rel, pos
	}
	return &packedIndex{buf: buf[:n*OffsetEntrySize], written: n * OffsetEntrySize, base: base}, nil
}

func (p *packedIndex) append(offset, position int64) {
	if len(p.buf) == cap(p.buf) {
		p.buf = slices.Grow(p.buf, max(len(p.buf), 64*OffsetEntrySize)) // doubling, as the package grows
	}
	p.buf = be.AppendUint32(p.buf, uint32(offset-p.base))
	p.buf = be.AppendUint32(p.buf, uint32(position))
}

func (p *packedIndex) flush() error {
	if _, err := p.f.WriteAt(p.buf[p.written:], int64(p.written)); err != nil {
		return err
	}
	p.written = len(p.buf)
	return p.f.Sync()
}

func (p *packedIndex) lookup(target int64) OffsetEntry {
	m := mmapIndex{data: p.buf, n: len(p.buf) / OffsetEntrySize, base: p.base}
	return m.lookup(target)
}

// designEntry is entry i of the benchmarks' indexes.
func designEntry(i int64) (offset, position int64) { return i*10 + 9, (i + 1) * 100 }

func BenchmarkIndexDesign(b *testing.B) {
	dir := b.TempDir()
	sealed := filepath.Join(dir, "sealed.index")
	x, err := OpenOffsetIndex(vfs.Default, sealed, 0, designEntries*OffsetEntrySize, true)
	if err != nil {
		b.Fatal(err)
	}
	for i := range int64(designEntries) {
		if err := x.Append(designEntry(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := x.Seal(); err != nil {
		b.Fatal(err)
	}
	targets := benchTargets(0, designEntries*10)
	newPath := func(i int) string { return filepath.Join(dir, fmt.Sprintf("new-%d.index", i)) }

	b.Run("op=append1M/impl=memory", func(b *testing.B) {
		i := 0
		for b.Loop() {
			path := newPath(i)
			i++
			x, err := OpenOffsetIndex(vfs.Default, path, 0, designMaxBytes, true)
			if err != nil {
				b.Fatal(err)
			}
			for j := range int64(designEntries) {
				if err := x.Append(designEntry(j)); err != nil {
					b.Fatal(err)
				}
			}
			if err := x.Flush(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := x.Close(); err != nil {
				b.Fatal(err)
			}
			os.Remove(path)
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/designEntries, "ns/entry")
	})
	b.Run("op=append1M/impl=mmap", func(b *testing.B) {
		i := 0
		for b.Loop() {
			path := newPath(i)
			i++
			m, err := openMmap(path, 0, designMaxBytes, true)
			if err != nil {
				b.Fatal(err)
			}
			for j := range int64(designEntries) {
				m.append(designEntry(j))
			}
			if err := m.sync(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := m.close(); err != nil {
				b.Fatal(err)
			}
			os.Remove(path)
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/designEntries, "ns/entry")
	})

	b.Run("op=append1M/impl=packed", func(b *testing.B) {
		i := 0
		for b.Loop() {
			path := newPath(i)
			i++
			p, err := createPacked(path, 0, designMaxBytes)
			if err != nil {
				b.Fatal(err)
			}
			for j := range int64(designEntries) {
				p.append(designEntry(j))
			}
			if err := p.flush(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := p.f.Close(); err != nil {
				b.Fatal(err)
			}
			os.Remove(path)
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/designEntries, "ns/entry")
	})

	b.Run("op=lookup/impl=memory", func(b *testing.B) {
		x, err := OpenOffsetIndex(vfs.Default, sealed, 0, designMaxBytes, false)
		if err != nil {
			b.Fatal(err)
		}
		var sink int64
		for _, t := range targets {
			sink += x.Lookup(t).Position
		}
		i := 0
		for b.Loop() {
			sink += x.Lookup(targets[i&(len(targets)-1)]).Position
			i++
		}
		_ = sink
	})
	b.Run("op=lookup/impl=mmap", func(b *testing.B) {
		m, err := openMmap(sealed, 0, 0, false)
		if err != nil {
			b.Fatal(err)
		}
		defer m.close()
		var sink int64
		for _, t := range targets {
			sink += m.lookup(t).Position
		}
		i := 0
		for b.Loop() {
			sink += m.lookup(targets[i&(len(targets)-1)]).Position
			i++
		}
		_ = sink
	})

	b.Run("op=lookup/impl=packed", func(b *testing.B) {
		p, err := openPacked(sealed, 0)
		if err != nil {
			b.Fatal(err)
		}
		var sink int64
		for _, t := range targets {
			sink += p.lookup(t).Position
		}
		i := 0
		for b.Loop() {
			sink += p.lookup(targets[i&(len(targets)-1)]).Position
			i++
		}
		_ = sink
	})

	b.Run("op=open/impl=memory", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		for b.Loop() {
			x, err := OpenOffsetIndex(vfs.Default, sealed, 0, designMaxBytes, false)
			if err != nil {
				b.Fatal(err)
			}
			if e := x.Lookup(rng.Int64N(designEntries * 10)); e.Position < 0 {
				b.Fatal(e)
			}
			if err := x.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=open/impl=mmap", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		for b.Loop() {
			m, err := openMmap(sealed, 0, 0, false)
			if err != nil {
				b.Fatal(err)
			}
			if e := m.lookup(rng.Int64N(designEntries * 10)); e.Position < 0 {
				b.Fatal(e)
			}
			if err := m.close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=open/impl=packed", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(3, 4))
		for b.Loop() {
			p, err := openPacked(sealed, 0)
			if err != nil {
				b.Fatal(err)
			}
			if e := p.lookup(rng.Int64N(designEntries * 10)); e.Position < 0 {
				b.Fatal(e)
			}
		}
	})
}
