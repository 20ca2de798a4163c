//go:build unix

package segment

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// smallMapGrain makes maps grow every page, so that a test crosses many
// map sizes with little data.
func smallMapGrain(t *testing.T) {
	old := mapGrain
	mapGrain = int64(os.Getpagesize())
	t.Cleanup(func() { mapGrain = old })
}

// TestMapGrowsWithTheFile reads every batch while others are appended,
// from several goroutines: the map is replaced as the file grows, every
// read sees the bytes the file holds, and closing the segment unmaps
// every map, the replaced ones included.
func TestMapGrowsWithTheFile(t *testing.T) {
	smallMapGrain(t)
	before := liveMaps.Load()
	dir := t.TempDir()
	s, err := Create(vfs.Default, dir, 0, Options{})
	require.NoError(t, err)
	var batches [][]byte
	for off := int64(0); off < 400; off += 10 {
		batches = append(batches, batchAt(t, off, 10, 100))
	}
	positions := make([]int64, len(batches))
	done := make(chan struct{})
	var reads atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			buf := make([]byte, 64<<10)
			for {
				select {
				case <-done:
					return
				default:
				}
				size := s.Size()
				if size == 0 {
					continue
				}
				n, err := s.ReadAt(buf[:size], 0)
				if err != nil {
					t.Error(err)
					return
				}
				// Whatever was published is whole batches, in order.
				var want []byte
				for _, b := range batches {
					if int64(len(want)+len(b)) > int64(n) {
						break
					}
					want = append(want, b...)
				}
				if !bytes.Equal(want, buf[:len(want)]) || len(want) != n {
					t.Errorf("read %d bytes that are not the batches appended", n)
					return
				}
				reads.Add(1)
			}
		})
	}
	for i, b := range batches {
		positions[i] = s.Size()
		require.NoError(t, s.Append(b))
		// Let the readers see each size.
		for seen := reads.Load(); reads.Load() < seen+2 && !t.Failed(); {
			runtime.Gosched()
		}
	}
	close(done)
	wg.Wait()
	for i, b := range batches {
		got := make([]byte, len(b))
		_, err := s.ReadAt(got, positions[i])
		require.NoError(t, err)
		require.Equal(t, b, got)
	}
	require.Greater(t, liveMaps.Load(), before, "reads went through a map")
	require.NoError(t, s.Release())
	require.Equal(t, before, liveMaps.Load(), "closing unmaps every map")
}

// TestMapOfShrunkFile reads through a map after the file was cut under
// it: a clean error wrapping io.ErrUnexpectedEOF, not a crash.
func TestMapOfShrunkFile(t *testing.T) {
	dir := t.TempDir()
	s, err := Create(vfs.Default, dir, 0, Options{})
	require.NoError(t, err)
	defer s.Release()
	for off := int64(0); off < 1000; off += 10 {
		require.NoError(t, s.Append(batchAt(t, off, 10, 100)))
	}
	size := s.Size()
	require.Greater(t, size, int64(3*os.Getpagesize()))
	tail := make([]byte, 100)
	_, err = s.ReadAt(tail, size-100)
	require.NoError(t, err)
	// A read large enough to populate its pages first reads what a read
	// call does.
	whole := make([]byte, size)
	require.GreaterOrEqual(t, len(whole), populateMin)
	_, err = s.ReadAt(whole, 0)
	require.NoError(t, err)
	want, err := os.ReadFile(Path(dir, 0, LogExt))
	require.NoError(t, err)
	require.Equal(t, want, whole)

	// Cut the file behind the segment's back, as a truncation does under
	// a reader that has not seen it yet.
	require.NoError(t, os.Truncate(Path(dir, 0, LogExt), 100))
	_, err = s.ReadAt(tail, size-100)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = s.ReadAt(whole, 0)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "populating pages past the end is no crash either")
	head := make([]byte, 50)
	_, err = s.ReadAt(head, 0)
	require.NoError(t, err, "what the file still holds reads")
}
