package record

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMaxEncodedSizeBoundsTheEncoding builds records at the extremes of
// their deltas and checks that none takes more room than promised.
func TestMaxEncodedSizeBoundsTheEncoding(t *testing.T) {
	records := []Record{
		{},
		{Key: []byte("k"), Value: []byte("v")},
		{Value: bytes.Repeat([]byte("x"), 300)},
		{Key: bytes.Repeat([]byte("k"), 20000), Headers: []Header{{Key: []byte("h"), Value: nil}, {Key: []byte("h2"), Value: []byte("v")}}},
	}
	for _, r := range records {
		for _, ts := range []int64{0, 1, -1, math.MaxInt64 / 2, math.MinInt64 / 2} {
			for _, od := range []int32{0, 1, 127, math.MaxInt32} {
				got := len(appendRecord(nil, &r, ts, od))
				require.LessOrEqual(t, got, MaxEncodedSize(&r), "ts delta %d, offset delta %d", ts, od)
			}
		}
		require.Less(t, MaxEncodedSize(&r)-len(appendRecord(nil, &r, 0, 0)), 16, "a loose bound wastes batch room")
	}
}
