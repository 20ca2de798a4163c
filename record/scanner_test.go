package record

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// stream concatenates freshly built batches and returns the bytes and the
// position where each batch ends.
func stream(t *testing.T) ([]byte, []int) {
	var data []byte
	var ends []int
	for i, codec := range allCodecs {
		batch := buildSample(t, codec, 3+i)
		batch.SetBaseOffset(int64(len(ends) * 100))
		data = append(data, batch...)
		ends = append(ends, len(data))
	}
	return data, ends
}

func TestScannerWalksWholeStream(t *testing.T) {
	data, ends := stream(t)
	for _, check := range []Check{CheckHeader, CheckAll} {
		s := NewScanner(data, check)
		var got []int
		for s.Next() {
			require.Equal(t, int64(len(got)*100), s.Batch().BaseOffset())
			got = append(got, s.Valid())
		}
		require.NoError(t, s.Err())
		require.False(t, s.Partial())
		require.Equal(t, ends, got)
		require.Equal(t, len(data), s.Valid())
		require.Equal(t, len(data), s.Pos())
	}
}

func TestScannerStopsAtPartialTail(t *testing.T) {
	data, ends := stream(t)
	for cut := 0; cut <= len(data); cut++ {
		s := NewScanner(data[:cut], CheckAll)
		n := 0
		for s.Next() {
			n++
		}
		require.NoError(t, s.Err(), "cut at %d", cut)
		// The valid prefix is the last batch end at or before the cut.
		want := 0
		for _, e := range ends {
			if e <= cut {
				want = e
			}
		}
		require.Equal(t, want, s.Valid(), "cut at %d", cut)
		require.Equal(t, cut != want, s.Partial(), "cut at %d", cut)
	}
}

func TestScannerReportsCorruption(t *testing.T) {
	data, ends := stream(t)
	damaged := append([]byte{}, data...)
	damaged[ends[1]+attributesOffset+5] ^= 0xff // inside the third batch
	s := NewScanner(damaged, CheckAll)
	n := 0
	for s.Next() {
		n++
	}
	require.Equal(t, 2, n)
	requireCorrupt(t, s.Err(), "crc mismatch")
	var ce *CorruptError
	require.ErrorAs(t, s.Err(), &ce)
	require.Equal(t, int64(ends[1]), ce.Pos)
	require.Equal(t, int64(200), ce.BaseOffset)
	require.Equal(t, ends[1], s.Valid())
	require.False(t, s.Partial())

	// CheckHeader trusts the CRC and walks on.
	s.Reset(damaged, CheckHeader)
	n = 0
	for s.Next() {
		n++
	}
	require.NoError(t, s.Err())
	require.Equal(t, len(ends), n)
}

func TestScannerZeroFilledTail(t *testing.T) {
	data, ends := stream(t)
	withZeros := append(append([]byte{}, data...), make([]byte, 4096)...)
	s := NewScanner(withZeros, CheckAll)
	for s.Next() {
	}
	// A zero length is impossible, so the zeros are reported, and the
	// valid prefix is every real batch.
	requireCorrupt(t, s.Err(), "below the 49-byte header")
	require.Equal(t, ends[len(ends)-1], s.Valid())
}

func TestScannerEmpty(t *testing.T) {
	var s Scanner
	require.False(t, s.Next())
	require.NoError(t, s.Err())
	require.Zero(t, s.Valid())
}
