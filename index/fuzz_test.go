package index

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/commitlog-go/commitlog/vfs"
)

// fuzzBases are the base offsets each input is opened with; the last
// makes large relative offsets overflow.
var fuzzBases = []int64{0, 1000, math.MaxInt64 - 5}

// Any bytes as an offset index file either fail with a *CorruptError or
// load as entries that, appended to a new index and sealed, give the
// file's bytes back less the zero tail.
func FuzzOpenOffsetIndex(f *testing.F) {
	f.Add([]byte{})
	f.Add(offsetBytes([2]int32{9, 4100}, [2]int32{19, 8200}, [2]int32{0, 0}))
	f.Add(offsetBytes([2]int32{9, 4100}, [2]int32{9, 8200}))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, base := range fuzzBases {
			m := vfs.NewMem()
			writeFile(t, m, "/a.index", data)
			last, lastFound, lastErr := ReadLastOffsetEntry(m, "/a.index", base)
			if lastErr != nil {
				checkFuzzError(t, lastErr)
			}
			x, err := OpenOffsetIndex(m, "/a.index", base, 1<<16, false)
			if err != nil {
				checkFuzzError(t, err)
				continue
			}
			es := offsetEntries(x)
			// Reading the last entry alone agrees with the whole file
			// wherever it answers: it may refuse a file Open accepts (one
			// with a zero tail), never report another last entry.
			if lastErr == nil {
				if lastFound != (len(es) > 0) || (lastFound && last != es[len(es)-1]) {
					t.Fatalf("base %d: last entry %+v (found %v), Open read %d entries ending %+v", base, last, lastFound, len(es), es[max(len(es)-1, 0):])
				}
			}
			prev := OffsetEntry{Offset: base - 1, Position: -1}
			for i, e := range es {
				if e.Offset <= prev.Offset || e.Position <= prev.Position || !relativeFits(e.Offset, base) || e.Position > maxRelative {
					t.Fatalf("base %d: entry %d %+v after %+v", base, i, e, prev)
				}
				if got := x.Lookup(e.Offset); got != e {
					t.Fatalf("base %d: Lookup(%d) = %+v, want %+v", base, e.Offset, got, e)
				}
				want := prev
				if i == 0 {
					want = OffsetEntry{Offset: base}
				}
				if got := x.Lookup(e.Offset - 1); e.Offset > base && got != want {
					t.Fatalf("base %d: Lookup(%d) = %+v, want %+v", base, e.Offset-1, got, want)
				}
				prev = e
			}

			y, err := OpenOffsetIndex(m, "/b.index", base, max(len(es), 1)*OffsetEntrySize, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if err := y.Append(e.Offset, e.Position); err != nil {
					t.Fatalf("base %d: appending a loaded entry: %v", base, err)
				}
			}
			checkResealed(t, m, y.Seal(), "/b.index", data, len(es)*OffsetEntrySize)
		}
	})
}

// The same for time index files.
func FuzzOpenTimeIndex(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Join([][]byte{timeBytes(1000, 9), timeBytes(2000, 9), timeBytes(0, 0)}, nil))
	f.Add(bytes.Join([][]byte{timeBytes(1000, 9), timeBytes(2000, 8)}, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, base := range fuzzBases {
			m := vfs.NewMem()
			writeFile(t, m, "/a.timeindex", data)
			last, lastFound, lastErr := ReadLastTimeEntry(m, "/a.timeindex", base)
			if lastErr != nil {
				checkFuzzError(t, lastErr)
			}
			x, err := OpenTimeIndex(m, "/a.timeindex", base, 1<<16, false)
			if err != nil {
				checkFuzzError(t, err)
				continue
			}
			es := timeEntries(x)
			if lastErr == nil {
				if lastFound != (len(es) > 0) || (lastFound && last != es[len(es)-1]) {
					t.Fatalf("base %d: last entry %+v (found %v), Open read %d entries ending %+v", base, last, lastFound, len(es), es[max(len(es)-1, 0):])
				}
			}
			prev := TimeEntry{Timestamp: NoTimestamp, Offset: base}
			for i, e := range es {
				if e.Timestamp <= prev.Timestamp || e.Offset < prev.Offset || !relativeFits(e.Offset, base) {
					t.Fatalf("base %d: entry %d %+v after %+v", base, i, e, prev)
				}
				if got := x.Lookup(e.Timestamp); got != e {
					t.Fatalf("base %d: Lookup(%d) = %+v, want %+v", base, e.Timestamp, got, e)
				}
				if got := x.Lookup(e.Timestamp - 1); got != prev {
					t.Fatalf("base %d: Lookup(%d) = %+v, want %+v", base, e.Timestamp-1, got, prev)
				}
				prev = e
			}

			y, err := OpenTimeIndex(m, "/b.timeindex", base, max(len(es), 1)*TimeEntrySize, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if err := y.Append(e.Timestamp, e.Offset, true); err != nil {
					t.Fatalf("base %d: appending a loaded entry: %v", base, err)
				}
			}
			if y.Len() != len(es) {
				t.Fatalf("base %d: %d of %d loaded entries appended", base, y.Len(), len(es))
			}
			checkResealed(t, m, y.Seal(), "/b.timeindex", data, len(es)*TimeEntrySize)
		}
	})
}

func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var ce *CorruptError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CorruptError", err)
	}
}

// checkResealed checks that the file at path, just sealed, is data's
// first n bytes and that data has only zeros after them.
func checkResealed(t *testing.T, m vfs.FS, sealErr error, path string, data []byte, n int) {
	t.Helper()
	if sealErr != nil {
		t.Fatal(sealErr)
	}
	f, err := m.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := make([]byte, n+1)
	k, _ := f.ReadAt(got, 0)
	if k != n || !bytes.Equal(got[:n], data[:n]) {
		t.Fatalf("resealed file is %x, want %x", got[:k], data[:n])
	}
	if !bytes.Equal(data[n:], make([]byte, len(data)-n)) {
		t.Fatalf("non-zero bytes after %d loaded bytes", n)
	}
}
