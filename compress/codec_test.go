package compress

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

var allCodecs = []Codec{None, Gzip, Snappy, LZ4, Zstd}

func TestCodecNames(t *testing.T) {
	tests := []struct {
		codec Codec
		name  string
	}{
		{None, "none"},
		{Gzip, "gzip"},
		{Snappy, "snappy"},
		{LZ4, "lz4"},
		{Zstd, "zstd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, tt.codec.Valid())
			require.Equal(t, tt.name, tt.codec.String())

			parsed, err := ParseCodec(tt.name)
			require.NoError(t, err)
			require.Equal(t, tt.codec, parsed)

			text, err := tt.codec.MarshalText()
			require.NoError(t, err)
			require.Equal(t, tt.name, string(text))

			var back Codec
			require.NoError(t, back.UnmarshalText(text))
			require.Equal(t, tt.codec, back)
		})
	}
}

func TestParseCodecIgnoresCase(t *testing.T) {
	for _, name := range []string{"GZIP", "Snappy", "lZ4", "ZSTD", "None"} {
		_, err := ParseCodec(name)
		require.NoError(t, err, name)
	}
}

func TestParseCodecUnknown(t *testing.T) {
	for _, name := range []string{"", "gz", "zstd ", "lz4frame", "codec(7)", "3"} {
		_, err := ParseCodec(name)
		require.ErrorIs(t, err, ErrUnknownCodec, "%q", name)

		c := Snappy
		require.ErrorIs(t, c.UnmarshalText([]byte(name)), ErrUnknownCodec, "%q", name)
		require.Equal(t, Snappy, c, "a failed UnmarshalText must leave the codec alone")
	}
}

func TestUnknownCodec(t *testing.T) {
	for _, c := range []Codec{5, 6, 7, -1, -128, 127} {
		t.Run(c.String(), func(t *testing.T) {
			require.False(t, c.Valid())
			require.Regexp(t, `^codec\(-?\d+\)$`, c.String())

			_, err := c.MarshalText()
			require.ErrorIs(t, err, ErrUnknownCodec)

			dst := []byte("prefix")
			out, err := c.AppendCompressed(dst, []byte("data"))
			require.ErrorIs(t, err, ErrUnknownCodec)
			require.Equal(t, dst, out)

			out, err = c.AppendDecompressed(dst, []byte("data"), 1<<20)
			require.ErrorIs(t, err, ErrUnknownCodec)
			require.Equal(t, dst, out)
		})
	}
	require.Equal(t, "codec(7)", Codec(7).String())
	require.Equal(t, "codec(-1)", Codec(-1).String())
}

func TestCodecJSON(t *testing.T) {
	type config struct {
		Compression Codec `json:"compression"`
	}
	for _, c := range allCodecs {
		data, err := json.Marshal(config{c})
		require.NoError(t, err)
		require.JSONEq(t, `{"compression":"`+c.String()+`"}`, string(data))

		var back config
		require.NoError(t, json.Unmarshal(data, &back))
		require.Equal(t, c, back.Compression)
	}
	var back config
	require.ErrorIs(t, json.Unmarshal([]byte(`{"compression":"brotli"}`), &back), ErrUnknownCodec)
}
