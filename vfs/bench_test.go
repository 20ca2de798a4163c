package vfs

import (
	"path/filepath"
	"testing"
)

// BenchmarkAppend writes 10 KB at the end of a file, extending it, as a
// log appends a batch of 100 small records, on the OS filesystem and in
// memory.
func BenchmarkAppend(b *testing.B) {
	for _, fc := range []struct {
		name string
		fsys FS
		dir  string
	}{
		{"os", Default, b.TempDir()},
		{"mem", NewMem(), "/"},
	} {
		b.Run(fc.name, func(b *testing.B) {
			f, err := fc.fsys.Create(filepath.Join(fc.dir, "log"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			buf := make([]byte, 10_000)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			var off int64
			for b.Loop() {
				if _, err := f.WriteAt(buf, off); err != nil {
					b.Fatal(err)
				}
				off += int64(len(buf))
				if off > 256<<20 {
					// Start again on an empty file, so that every write
					// extends the file, as appends do, and memory stays
					// bounded.
					if err := f.Truncate(0); err != nil {
						b.Fatal(err)
					}
					off = 0
				}
			}
		})
	}
}

// BenchmarkCrashClone clones an in-memory filesystem holding a 4 MiB log
// and its index, as the crash tests do before every sync.
func BenchmarkCrashClone(b *testing.B) {
	m := NewMem()
	f, err := m.Create("/log")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 4<<20), 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.CrashClone(CrashOptions{})
	}
}
