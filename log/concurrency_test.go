package log

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
)

// TestConcurrentWritersAndReaders runs writers and readers at once, with
// segments small enough to roll all the time, under -race. Readers must see
// offsets without holes and every record whole.
func TestConcurrentWritersAndReaders(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 4096, Flush: FlushEveryN, FlushRecords: 50})
	const writers, perWriter = 4, 300
	var wg sync.WaitGroup
	var done atomic.Bool
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				v := binary.BigEndian.AppendUint32(nil, uint32(w<<16|i))
				_, err := l.AppendRecords(record.Record{Value: v}, record.Record{Value: v})
				require.NoError(t, err)
			}
		}()
	}
	var readers sync.WaitGroup
	for range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			r := l.NewReader(0)
			next := int64(0)
			for {
				for r.Next() {
					rr := r.Record()
					require.Equal(t, next, rr.Offset)
					require.Len(t, rr.Value, 4)
					next++
				}
				require.NoError(t, r.Err())
				if done.Load() && next == l.LogEndOffset() {
					return
				}
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	readers.Wait()
	require.Equal(t, int64(writers*perWriter*2), l.LogEndOffset())

	// Each writer's pairs landed together and in its own order.
	seen := make(map[int]int)
	r := l.NewReader(0)
	for r.Next() {
		first := binary.BigEndian.Uint32(r.Record().Value)
		require.True(t, r.Next())
		require.Equal(t, first, binary.BigEndian.Uint32(r.Record().Value))
		w, i := int(first>>16), int(first&0xffff)
		require.Equal(t, seen[w], i)
		seen[w]++
	}
	require.NoError(t, r.Err())
}

// TestCloseWhileReading closes the log while readers are in the middle of
// reads: they end with ErrClosed or finish, never panic or read a closed
// file.
func TestCloseWhileReading(t *testing.T) {
	l, err := Open(t.TempDir(), Options{SegmentBytes: 2048})
	require.NoError(t, err)
	appendN(t, l, 0, 2000, 20)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r := l.NewReader(0)
				for r.Next() {
				}
				if r.Err() != nil {
					require.ErrorIs(t, r.Err(), ErrClosed)
					return
				}
			}
		}()
	}
	require.NoError(t, l.Close())
	wg.Wait()
}
