package record

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
)

func buildSample(t testing.TB, codec compress.Codec, n int) Batch {
	t.Helper()
	b := NewBuilder()
	b.SetCodec(codec)
	for _, r := range sampleRecords(n) {
		b.Append(r)
	}
	batch, err := b.Build()
	require.NoError(t, err)
	return append(Batch(nil), batch...)
}

func requireCorrupt(t *testing.T, err error, reason string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, ErrCorrupt)
	var ce *CorruptError
	require.ErrorAs(t, err, &ce)
	require.Contains(t, ce.Reason, reason)
}

func TestValidateDetectsEveryCoveredByte(t *testing.T) {
	for _, codec := range []compress.Codec{compress.None, compress.Snappy} {
		batch := buildSample(t, codec, 20)
		for i := attributesOffset; i < len(batch); i++ {
			damaged := append(Batch(nil), batch...)
			damaged[i] ^= 0x10
			requireCorrupt(t, damaged.Validate(), "crc mismatch")
		}
		// The CRC field itself.
		damaged := append(Batch(nil), batch...)
		damaged[crcOffset+2] ^= 1
		requireCorrupt(t, damaged.Validate(), "crc mismatch")
	}
}

// fixCRC recomputes the checksum, so a test can damage a field that the CRC
// covers and see the check that field has of its own.
func fixCRC(b Batch) Batch {
	be.PutUint32(b[crcOffset:], b.ComputeCRC())
	return b
}

func TestValidateFieldChecks(t *testing.T) {
	good := buildSample(t, compress.None, 10)
	cases := []struct {
		name   string
		damage func(b Batch) Batch
		reason string
		also   error
	}{
		{"magic 1", func(b Batch) Batch { b[magicOffset] = 1; return b }, "magic 1", ErrUnsupportedMagic},
		{"codec 7", func(b Batch) Batch {
			be.PutUint16(b[attributesOffset:], uint16(b.Attributes().WithCodec(7)))
			return fixCRC(b)
		}, "codec 7", compress.ErrUnknownCodec},
		{"negative count", func(b Batch) Batch { be.PutUint32(b[recordCountOffset:], 0xffffffff); return fixCRC(b) }, "negative record count", nil},
		{"count above span", func(b Batch) Batch { be.PutUint32(b[lastOffsetDeltaOffset:], 5); return fixCRC(b) }, "10 records in an offset span of 6", nil},
		{"delta below -1", func(b Batch) Batch { be.PutUint32(b[lastOffsetDeltaOffset:], 0xfffffffe); return fixCRC(b) }, "last offset delta -2", nil},
		{"fewer records than count", func(b Batch) Batch { be.PutUint32(b[recordCountOffset:], 9); return fixCRC(b) }, "bytes after the last of 9 records", nil},
		{"more records than count", func(b Batch) Batch {
			be.PutUint32(b[recordCountOffset:], 11)
			be.PutUint32(b[lastOffsetDeltaOffset:], 10)
			return fixCRC(b)
		}, "holds 10 records, header says 11", nil},
		{"negative base offset", func(b Batch) Batch { b.SetBaseOffset(-5); return b }, "negative base offset", nil},
		{"offset overflow", func(b Batch) Batch { b.SetBaseOffset(maxOffset - 3); return b }, "overflows", nil},
		{"length longer than bytes", func(b Batch) Batch { return b[:len(b)-1] }, "", ErrTruncated},
		{"length shorter than bytes", func(b Batch) Batch { return append(b, 0) }, "length field says", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.damage(append(Batch(nil), good...)).Validate()
			require.Error(t, err)
			if tc.reason != "" {
				requireCorrupt(t, err, tc.reason)
			}
			if tc.also != nil {
				require.ErrorIs(t, err, tc.also)
			}
		})
	}
	require.NoError(t, good.Validate())
}

func TestParse(t *testing.T) {
	a := buildSample(t, compress.None, 3)
	b := buildSample(t, compress.Gzip, 4)
	stream := append(append([]byte{}, a...), b...)

	first, err := Parse(stream)
	require.NoError(t, err)
	require.Equal(t, []byte(a), []byte(first))
	require.Equal(t, len(first), cap(first), "Parse caps the batch so appends cannot clobber the next one")

	for cut := 0; cut < len(a); cut++ {
		_, err := Parse(stream[:cut])
		require.ErrorIs(t, err, ErrTruncated, "cut at %d", cut)
	}

	short := append([]byte{}, a...)
	be.PutUint32(short[lengthOffset:], 20)
	_, err = Parse(short)
	requireCorrupt(t, err, "below the 49-byte header")

	old := append([]byte{}, a...)
	old[magicOffset] = 0
	_, err = Parse(old)
	require.ErrorIs(t, err, ErrUnsupportedMagic)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestParseHeader(t *testing.T) {
	a := buildSample(t, compress.None, 5)

	for _, have := range []int{HeaderSize, HeaderSize + 7, len(a)} {
		head, err := ParseHeader(a[:have])
		require.NoError(t, err, "%d bytes", have)
		require.Len(t, head, HeaderSize)
		require.Equal(t, len(a), head.Size(), "the whole batch's size from its header")
		require.Equal(t, a.BaseOffset(), head.BaseOffset())
		require.Equal(t, a.LastOffset(), head.LastOffset())
		require.Equal(t, a.MaxTimestamp(), head.MaxTimestamp())
	}
	for cut := range HeaderSize {
		_, err := ParseHeader(a[:cut])
		require.ErrorIs(t, err, ErrTruncated, "cut at %d", cut)
	}

	short := append([]byte{}, a...)
	be.PutUint32(short[lengthOffset:], 20)
	_, err := ParseHeader(short[:HeaderSize])
	requireCorrupt(t, err, "below the 49-byte header")

	old := append([]byte{}, a...)
	old[magicOffset] = 1
	_, err = ParseHeader(old[:HeaderSize])
	require.ErrorIs(t, err, ErrUnsupportedMagic)
}

func TestCorruptErrorMessage(t *testing.T) {
	err := &CorruptError{Pos: 8080, BaseOffset: 42, Reason: "crc mismatch"}
	require.Equal(t, "record: corrupt batch at offset 42, byte 8080: crc mismatch", err.Error())
	cause := errors.New("boom")
	err = &CorruptError{Pos: -1, BaseOffset: -1, Reason: "decompressing records", Err: cause}
	require.Equal(t, "record: corrupt batch: decompressing records: boom", err.Error())
	require.ErrorIs(t, err, cause)
	require.ErrorIs(t, err, ErrCorrupt)
}
