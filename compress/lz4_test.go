package compress

import (
	"bytes"
	"testing"

	"github.com/pierrec/lz4/v4"
	"github.com/stretchr/testify/require"
)

// lz4Stream compresses data with the LZ4 frame writer's own defaults: 4 MiB
// blocks and a content checksum.
func lz4Stream(t testing.TB, data []byte, opts ...lz4.Option) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	require.NoError(t, w.Apply(opts...))
	_, err := w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestLZ4Frames(t *testing.T) {
	a, b := jsonLines(300000), randomBytes(5000)
	tests := []struct {
		name   string
		stream []byte
		want   []byte
	}{
		{"4MiB blocks", lz4Stream(t, a), a},
		{"block checksums", lz4Stream(t, a, lz4.BlockChecksumOption(true)), a},
		{"no content checksum", lz4Stream(t, a, lz4.ChecksumOption(false), lz4.BlockSizeOption(lz4.Block64Kb)), a},
		{"content size", lz4Stream(t, a, lz4.SizeOption(uint64(len(a)))), a},
		{"two frames", append(mustCompress(t, LZ4, a), mustCompress(t, LZ4, b)...), append(bytes.Clone(a), b...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := LZ4.AppendDecompressed([]byte("p"), tt.stream, len(tt.want))
			require.NoError(t, err)
			require.True(t, bytes.Equal(tt.want, out[1:]))

			_, err = LZ4.AppendDecompressed(nil, tt.stream, len(tt.want)-1)
			require.ErrorIs(t, err, ErrTooLarge)
		})
	}
}
