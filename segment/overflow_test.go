package segment

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// TestAppendRefusesOffsetOverflow hands a segment batches the last of
// which its 32-bit relative offsets cannot reach: the append fails with
// an *OverflowError and writes nothing, so that no recovery has to cut
// what was acknowledged.
func TestAppendRefusesOffsetOverflow(t *testing.T) {
	s := createSegment(t, vfs.Default, t.TempDir(), 0, Options{})
	data := append(batchAt(t, 0, 1, 10), batchAt(t, math.MaxInt32+1, 1, 10)...)
	err := s.Append(data)
	require.ErrorIs(t, err, ErrOffsetOverflow)
	var oe *OverflowError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, int64(math.MaxInt32+1), oe.BaseOffset)
	require.Zero(t, s.Size(), "nothing is written")
	require.Equal(t, int64(0), s.NextOffset())

	// The batch whose last offset is the segment's reach fits.
	require.NoError(t, s.Append(batchAt(t, math.MaxInt32, 1, 10)))
}
