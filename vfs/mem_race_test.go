package vfs

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMemStatWhileWritten describes a file by name while another
// goroutine grows, cuts and rewrites it through an open handle, as a
// reader that polls a log beside its writer does. Run with -race: Stat
// must read the size and time under the file's lock. Every size it sees
// is one the file had.
func TestMemStatWhileWritten(t *testing.T) {
	m := NewMem()
	f, err := m.Create("/a")
	require.NoError(t, err)
	defer f.Close()

	const rounds = 500
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 16)
		for i := range rounds {
			if _, err := f.WriteAt(buf, int64(i%8)*16); err != nil {
				t.Error(err)
				return
			}
			if i%8 == 7 {
				if err := f.Truncate(0); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	for range rounds {
		info, err := m.Stat("/a")
		require.NoError(t, err)
		require.Zero(t, info.Size()%16, "a size the file never had")
		require.LessOrEqual(t, info.Size(), int64(8*16))
		require.False(t, info.ModTime().IsZero())
	}
	wg.Wait()
}
