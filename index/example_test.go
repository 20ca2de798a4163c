package index_test

import (
	"fmt"

	"github.com/commitlog-go/commitlog/index"
	"github.com/commitlog-go/commitlog/vfs"
)

func Example() {
	fsys := vfs.NewMem()
	fsys.MkdirAll("/topic-0", 0o755)
	const base = 1000

	// The active segment's indexes: preallocated, kept open.
	oi, err := index.OpenOffsetIndex(fsys, "/topic-0/00000000000000001000.index", base, 10<<20, true)
	if err != nil {
		panic(err)
	}
	ti, err := index.OpenTimeIndex(fsys, "/topic-0/00000000000000001000.timeindex", base, 10<<20, true)
	if err != nil {
		panic(err)
	}

	// A segment adds an entry every few KiB of batches: the last offset
	// of an append, the position where that append began.
	oi.Append(1041, 4180)
	oi.Append(1090, 8350)
	ti.Append(1_700_000_003_000, 1041, false)
	ti.Append(1_700_000_007_000, 1090, false)

	// Where to start reading for offset 1050, and for a timestamp.
	fmt.Println(oi.Lookup(1050))
	fmt.Println(oi.Lookup(1010))
	fmt.Println(ti.Lookup(1_700_000_005_000))

	// Sealing writes the files trimmed to their entries.
	oi.Seal()
	ti.Seal()
	info, _ := fsys.Stat(oi.Path())
	fmt.Println(info.Size(), "bytes,", oi.Len(), "entries")

	// Output:
	// {1041 4180}
	// {1000 0}
	// {1700000003000 1041}
	// 16 bytes, 2 entries
}
