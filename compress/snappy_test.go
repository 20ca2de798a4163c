package compress

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/golang/snappy"
	"github.com/stretchr/testify/require"
)

// xerialStream frames data as Kafka's Java client does: the xerial header,
// then one raw snappy block per chunkSize bytes, each behind its length.
func xerialStream(t testing.TB, data []byte, chunkSize int) []byte {
	t.Helper()
	out := xerialHeader()
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		out = appendXerialChunk(out, snappy.Encode(nil, data[:n]))
		data = data[n:]
	}
	return out
}

func xerialHeader() []byte {
	out := []byte(xerialMagic)
	out = binary.BigEndian.AppendUint32(out, 1)  // version
	return binary.BigEndian.AppendUint32(out, 1) // compatible version
}

func appendXerialChunk(dst, block []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(block)))
	return append(dst, block...)
}

func TestXerial(t *testing.T) {
	data := jsonLines(200000)
	tests := []struct {
		name      string
		data      []byte
		chunkSize int
	}{
		{"no chunks", nil, 1},
		{"one chunk", data[:1000], 32 << 10},
		{"java chunk size", data, 32 << 10},
		{"many small chunks", data[:5000], 7},
		{"random", randomBytes(100000), 32 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream := xerialStream(t, tt.data, tt.chunkSize)
			out, err := Snappy.AppendDecompressed([]byte("p"), stream, len(tt.data))
			require.NoError(t, err)
			require.Equal(t, byte('p'), out[0])
			require.True(t, bytes.Equal(tt.data, out[1:]))

			if len(tt.data) > 0 {
				_, err = Snappy.AppendDecompressed(nil, stream, len(tt.data)-1)
				require.ErrorIs(t, err, ErrTooLarge)
			}
		})
	}
}

func TestXerialCorrupt(t *testing.T) {
	block := snappy.Encode(nil, []byte("hello, hello, hello, kafka"))
	valid := appendXerialChunk(xerialHeader(), block)
	withLength := func(n uint32) []byte {
		s := xerialHeader()
		s = binary.BigEndian.AppendUint32(s, n)
		return append(s, block...)
	}
	tests := []struct {
		name   string
		stream []byte
	}{
		{"magic only", []byte(xerialMagic)},
		{"half a header", xerialHeader()[:12]},
		{"chunk length cut short", valid[:xerialHeaderLen+2]},
		{"chunk length past the end", withLength(uint32(len(block) + 1))},
		{"chunk length far past the end", withLength(1 << 30)},
		{"negative chunk length", withLength(0xffffffff)},
		{"most negative chunk length", withLength(0x80000000)},
		{"chunk length too short", withLength(uint32(len(block) - 3))},
		{"empty chunk", withLength(0)},
		{"truncated block", valid[:len(valid)-1]},
		{"garbage block", appendXerialChunk(xerialHeader(), []byte{0x20, 1, 2, 3})},
		{"second chunk truncated", appendXerialChunk(bytes.Clone(valid), block)[:len(valid)+6]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Snappy.AppendDecompressed([]byte("keep"), tt.stream, 1<<20)
			require.ErrorIs(t, err, ErrCorrupt)
			require.Equal(t, []byte("keep"), out)
		})
	}
}

func TestSnappyLengthCheckedBeforeAllocating(t *testing.T) {
	// A header claiming 1 GiB with nothing behind it: no block that short
	// could decode to that much, whatever the limit.
	huge := binary.AppendUvarint(nil, 1<<30)
	// A header claiming 2 MiB over enough bytes to be believed.
	large := append(binary.AppendUvarint(nil, 2<<20), make([]byte, 100<<10)...)
	tests := []struct {
		name  string
		block []byte
		limit int
		want  error
	}{
		{"impossible claim, small limit", huge, 1 << 20, ErrCorrupt},
		{"impossible claim, large limit", huge, 2 << 30, ErrCorrupt},
		{"claim over the limit", large, 1 << 20, ErrTooLarge},
		{"claim over the limit, xerial", appendXerialChunk(xerialHeader(), large), 1 << 20, ErrTooLarge},
		{"impossible claim, xerial", appendXerialChunk(xerialHeader(), huge), 2 << 30, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allocated := bytesPerRun(10, func() {
				_, err := Snappy.AppendDecompressed(nil, tt.block, tt.limit)
				require.ErrorIs(t, err, tt.want)
			})
			require.Less(t, allocated, uint64(1024), "only the error may be allocated")
		})
	}
}

func TestSnappyMaxRatio(t *testing.T) {
	// Zeros are as compressible as snappy input gets.
	for _, n := range []int{1, 100, 1 << 16, 1 << 20, 10 << 20} {
		block := snappy.Encode(nil, make([]byte, n))
		require.LessOrEqual(t, n, len(block)*maxSnappyRatio)
		_, err := Snappy.AppendDecompressed(nil, block, n)
		require.NoError(t, err)
	}
}
