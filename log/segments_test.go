package log

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// TestSegments describes every segment of a log before and after a clean
// reopen, which opens its sealed segments without reading them: the
// description reads what it needs and agrees.
func TestSegments(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		opts := Options{FS: fsys, SegmentBytes: 1200, RetentionCheckInterval: -1}
		l, err := Open(dir, opts)
		require.NoError(t, err)
		appendN(t, l, 0, 100, 10)
		require.NoError(t, l.Roll())
		before, err := l.Segments()
		require.NoError(t, err)
		require.Len(t, before, l.NumSegments())
		var size int64
		for i, s := range before {
			size += s.Size
			if i+1 < len(before) {
				require.Equal(t, before[i+1].BaseOffset-1, s.LastOffset, "segment %d ends where the next begins", i)
				require.Equal(t, rec(s.LastOffset).Timestamp, s.MaxTimestamp)
			}
		}
		require.Equal(t, l.Size(), size)
		active := before[len(before)-1]
		require.Equal(t, SegmentInfo{BaseOffset: 100, Size: 0, LastOffset: 99, MaxTimestamp: -1}, active, "the empty active segment")
		require.NoError(t, l.Close())

		l = mustOpen(t, dir, opts)
		after, err := l.Segments()
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
}
