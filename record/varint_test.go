package record

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

var varintCases = []int64{0, 1, -1, 63, -64, 64, -65, 300, math.MaxInt32, math.MinInt32,
	math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64}

func TestVarintMatchesZigZagLEB128(t *testing.T) {
	// encoding/binary's signed varints are the same zig-zag LEB128 that the
	// record format uses, which makes them an independent reference.
	for _, v := range varintCases {
		got := appendVarint(nil, v)
		require.Equal(t, binary.AppendVarint(nil, v), got, "value %d", v)
		require.Equal(t, len(got), varintLen(v))
		back, n := varintAt(got, 0)
		require.Equal(t, v, back)
		require.Equal(t, len(got), n)
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			back32, n := varint32At(append([]byte{0xaa}, got...), 1)
			require.Equal(t, int32(v), back32)
			require.Equal(t, len(got)+1, n)
		}
	}
}

func TestReadVarintBounds(t *testing.T) {
	_, n := varintAt(nil, 0)
	require.Equal(t, -1, n, "empty input")
	_, n = varintAt([]byte{0x80, 0x80}, 0)
	require.Equal(t, -1, n, "input ends inside the varint")
	_, n = varintAt([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 0)
	require.Equal(t, -1, n, "longer than ten bytes")
	_, n = varintAt([]byte{0x01}, 1)
	require.Equal(t, -1, n, "position at the end")
	_, n = varintAt([]byte{0x01}, -1)
	require.Equal(t, -1, n, "a failed read before")
	_, n = varint32At([]byte{0x01}, -1)
	require.Equal(t, -1, n, "a failed read before")

	v, n := varint32At(appendVarint(nil, math.MinInt32), 0)
	require.Equal(t, int32(math.MinInt32), v)
	require.Equal(t, 5, n)
	_, n = varint32At(appendVarint(nil, math.MaxInt32+1), 0)
	require.Equal(t, -1, n, "does not fit 32 bits")
	_, n = varint32At([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 0)
	require.Equal(t, -1, n, "six bytes for a 32-bit varint")
}
