package record

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
)

// offsetsFrom iterates b from the first record at or after offset, reached
// with SkipBefore, and returns the offsets and values it decodes.
func offsetsFrom(t *testing.T, b Batch, offset int64) ([]int64, []string) {
	t.Helper()
	var it Iterator
	it.Reset(b)
	require.True(t, it.SkipBefore(offset))
	var offsets []int64
	var values []string
	for it.Next() {
		offsets = append(offsets, it.Record().Offset)
		values = append(values, string(it.Record().Value))
	}
	require.NoError(t, it.Err())
	return offsets, values
}

func TestSkipBeforeMatchesFullDecode(t *testing.T) {
	for _, codec := range allCodecs {
		t.Run(codec.String(), func(t *testing.T) {
			batch := buildSample(t, codec, 30)
			batch.SetBaseOffset(1000)
			var all []int64
			var allValues []string
			var it Iterator
			it.Reset(batch)
			for it.Next() {
				all = append(all, it.Record().Offset)
				allValues = append(allValues, string(it.Record().Value))
			}
			require.NoError(t, it.Err())
			for _, target := range []int64{0, 999, 1000, 1001, 1017, 1029, 1030, 5000} {
				offsets, values := offsetsFrom(t, batch, target)
				i := 0
				for i < len(all) && all[i] < target {
					i++
				}
				require.Len(t, offsets, len(all)-i, "from %d", target)
				if i < len(all) {
					require.Equal(t, all[i:], offsets, "from %d", target)
					require.Equal(t, allValues[i:], values, "from %d", target)
				}
			}
		})
	}
}

func TestSkipBeforeOverOffsetGaps(t *testing.T) {
	// A compacted batch: offsets 0, 3 and 7 of base 10.
	recs := append(rawRecord(byte(0), 0, 0, -1, 1, "a", 0), rawRecord(byte(0), 0, 3, -1, 1, "b", 0)...)
	recs = append(recs, rawRecord(byte(0), 0, 7, -1, 1, "c", 0)...)
	batch := encodeRaw(3, 7, recs)
	batch.SetBaseOffset(10)
	for target, want := range map[int64][]int64{10: {10, 13, 17}, 11: {13, 17}, 13: {13, 17}, 14: {17}, 17: {17}, 18: nil} {
		offsets, _ := offsetsFrom(t, batch, target)
		require.Equal(t, want, offsets, "from %d", target)
	}
}

func TestSkipBeforeRejectsBadRecords(t *testing.T) {
	cases := []struct {
		name   string
		count  int32
		delta  int32
		recs   []byte
		reason string
	}{
		{"record length past section", 2, 1, append(rawRecord(byte(0), 0, 0, -1, -1, 0), 0x7e, 0, 0, 0), "record length"},
		{"offset deltas not increasing", 2, 1, append(rawRecord(byte(0), 0, 1, -1, -1, 0), rawRecord(byte(0), 0, 1, -1, -1, 0)...), "offset delta 1"},
		{"offset delta beyond last", 1, 0, rawRecord(byte(0), 0, 3, -1, -1, 0), "offset delta 3"},
		{"timestamp delta past record", 1, 0, []byte{0x0c, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "offset delta"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var it Iterator
			it.Reset(encodeRaw(tc.count, tc.delta, tc.recs))
			require.False(t, it.SkipBefore(1<<40))
			requireCorrupt(t, it.Err(), tc.reason)
			require.False(t, it.Next())
		})
	}
}

func TestSkipBeforeAfterNext(t *testing.T) {
	batch := buildSample(t, compress.None, 10)
	var it Iterator
	it.Reset(batch)
	require.True(t, it.Next())
	require.True(t, it.SkipBefore(7))
	require.True(t, it.Next())
	require.Equal(t, int64(7), it.Record().Offset)
	// Skipping backwards does nothing.
	require.True(t, it.SkipBefore(2))
	require.True(t, it.Next())
	require.Equal(t, int64(8), it.Record().Offset)
}
