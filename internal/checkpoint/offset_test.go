package checkpoint

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

func TestOffsetRoundTrip(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	_, ok, err := ReadOffset(m, "/d/ckpt")
	require.NoError(t, err, "a missing file is no error")
	require.False(t, ok)
	for _, offset := range []int64{0, 1, 12345, 1<<63 - 1} {
		require.NoError(t, WriteOffset(m, "/d/ckpt", offset))
		got, ok, err := ReadOffset(m, "/d/ckpt")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, offset, got)
	}
}

func TestReadOffsetRefusesMalformedFiles(t *testing.T) {
	m := vfs.NewMem()
	require.NoError(t, m.MkdirAll("/d", 0o755))
	for _, data := range []string{
		"", "0\n", "0\n12", "1\n12\n", "0\n-1\n", "0\n+1\n", "0\n012\n", "0\n1 \n",
		"0\n9223372036854775808\n", "0\n1\n\n", strings.Repeat("0", 100),
	} {
		require.NoError(t, vfs.WriteFileAtomic(m, "/d/ckpt", []byte(data)))
		_, ok, err := ReadOffset(m, "/d/ckpt")
		require.ErrorIs(t, err, ErrMalformed, "%q", data)
		require.False(t, ok)
	}
}

func TestParseCanonicalBounds(t *testing.T) {
	_, ok := ParseCanonical([]byte("2147483648"), 31)
	require.False(t, ok, "1<<31 is out of a 31-bit range")
	v, ok := ParseCanonical([]byte("2147483647"), 31)
	require.True(t, ok)
	require.Equal(t, int64(1<<31-1), v)
	_, ok = ParseCanonical([]byte("99999999999999999999"), 63)
	require.False(t, ok, "20 digits")
}
