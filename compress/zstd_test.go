package compress

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
)

// zstdStream compresses data as a streaming encoder does, in one frame
// whose header does not record the content size.
func zstdStream(t testing.TB, data []byte, opts ...zstd.EOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf, opts...)
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	// Flushing before closing keeps the encoder from writing the whole
	// input as one frame of known size.
	require.NoError(t, w.Flush())
	require.NoError(t, w.Close())

	var h zstd.Header
	require.NoError(t, h.Decode(buf.Bytes()))
	require.False(t, h.HasFCS)
	return buf.Bytes()
}

// skippableFrame returns a zstd frame that decoders skip.
func skippableFrame(payload []byte) []byte {
	f := []byte{0x5a, 0x2a, 0x4d, 0x18}
	f = append(f, byte(len(payload)), byte(len(payload)>>8), byte(len(payload)>>16), byte(len(payload)>>24))
	return append(f, payload...)
}

func TestZstdFrames(t *testing.T) {
	a, b := jsonLines(100000), randomBytes(3000)
	tests := []struct {
		name   string
		stream []byte
		want   []byte
	}{
		{"no content size", zstdStream(t, a), a},
		{"no content size, small window", zstdStream(t, a, zstd.WithWindowSize(zstd.MinWindowSize)), a},
		{"no content size, no checksum", zstdStream(t, a, zstd.WithEncoderCRC(false)), a},
		{"two frames", append(mustCompress(t, Zstd, a), mustCompress(t, Zstd, b)...), append(bytes.Clone(a), b...)},
		{"two streamed frames", append(zstdStream(t, b), zstdStream(t, a)...), append(bytes.Clone(b), a...)},
		{"skippable frames", append(append(skippableFrame([]byte("meta")), mustCompress(t, Zstd, a)...), skippableFrame(nil)...), a},
		{"only a skippable frame", skippableFrame([]byte("meta")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Zstd.AppendDecompressed([]byte("p"), tt.stream, len(tt.want))
			require.NoError(t, err)
			require.True(t, bytes.Equal(tt.want, out[1:]))

			if len(tt.want) > 0 {
				out, err = Zstd.AppendDecompressed([]byte("p"), tt.stream, len(tt.want)-1)
				require.ErrorIs(t, err, ErrTooLarge)
				require.Equal(t, []byte("p"), out)
			}
		})
	}
}

func TestZstdFrameSize(t *testing.T) {
	a := jsonLines(300000)
	for _, stream := range [][]byte{
		mustCompress(t, Zstd, a),
		mustCompress(t, Zstd, nil),
		zstdStream(t, a),
		zstdStream(t, make([]byte, 1<<20)),
		zstdStream(t, randomBytes(200000), zstd.WithEncoderCRC(false)),
	} {
		f, err := parseZstdFrame(append(bytes.Clone(stream), "next"...))
		require.NoError(t, err)
		require.Equal(t, len(stream), f.size)
		require.False(t, f.skippable)
	}
}

func TestZstdContentSizeCheckedBeforeAllocating(t *testing.T) {
	bomb := mustCompress(t, Zstd, make([]byte, 64<<20))
	var h zstd.Header
	require.NoError(t, h.Decode(bomb))
	require.True(t, h.HasFCS)

	allocated := bytesPerRun(10, func() {
		_, err := Zstd.AppendDecompressed(nil, bomb, 1<<20)
		require.ErrorIs(t, err, ErrTooLarge)
	})
	require.Less(t, allocated, uint64(1024), "only the error may be allocated")
}

func TestZstdLargeWindowSmallLimit(t *testing.T) {
	// A streaming encoder declares a window far larger than its output;
	// that must not count against a small limit.
	data := []byte("a short batch that fits the limit")
	stream := zstdStream(t, data, zstd.WithWindowSize(8<<20))
	var h zstd.Header
	require.NoError(t, h.Decode(stream))
	require.Greater(t, h.WindowSize, uint64(1<<20))

	out, err := Zstd.AppendDecompressed(nil, stream, len(data))
	require.NoError(t, err)
	require.Equal(t, data, out)
}
