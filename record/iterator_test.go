package record

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
)

func TestIteratorIsZeroCopyWhenUncompressed(t *testing.T) {
	batch := buildSample(t, compress.None, 20)
	lo := uintptr(unsafe.Pointer(&batch[0]))
	hi := lo + uintptr(len(batch))
	inside := func(p []byte) bool {
		if len(p) == 0 {
			return true
		}
		a := uintptr(unsafe.Pointer(&p[0]))
		return a >= lo && a < hi
	}
	var it Iterator
	it.Reset(batch)
	for it.Next() {
		r := it.Record()
		require.True(t, inside(r.Key))
		require.True(t, inside(r.Value))
		for _, h := range r.Headers {
			require.True(t, inside(h.Key))
			require.True(t, inside(h.Value))
		}
	}
	require.NoError(t, it.Err())
}

func TestIteratorReuseDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects; allocation counts are checked without it")
	}
	for _, codec := range allCodecs {
		t.Run(codec.String(), func(t *testing.T) {
			batch := buildSample(t, codec, 100)
			var it Iterator
			iterate := func() {
				it.Reset(batch)
				for it.Next() {
				}
				require.NoError(t, it.Err())
			}
			iterate()
			require.Zero(t, testing.AllocsPerRun(20, iterate))
		})
	}
}

// encodeRaw builds an uncompressed batch around hand-written record bytes,
// with a correct header and CRC, so tests can feed the iterator records
// that a Builder would never write.
func encodeRaw(count int32, lastDelta int32, records []byte) Batch {
	b := make(Batch, HeaderSize, HeaderSize+len(records))
	b = append(b, records...)
	be.PutUint32(b[lengthOffset:], uint32(len(b)-LogOverhead))
	b[magicOffset] = Magic
	be.PutUint32(b[lastOffsetDeltaOffset:], uint32(lastDelta))
	be.PutUint32(b[recordCountOffset:], uint32(count))
	be.PutUint64(b[producerIDOffset:], ^uint64(0)) // NoProducerID
	return fixCRC(b)
}

// rawRecord encodes a record body from varint fields and raw bytes.
func rawRecord(fields ...any) []byte {
	var body []byte
	for _, f := range fields {
		switch v := f.(type) {
		case int:
			body = appendVarint(body, int64(v))
		case string:
			body = append(body, v...)
		case byte:
			body = append(body, v)
		}
	}
	return append(appendVarint(nil, int64(len(body))), body...)
}

func TestIteratorRejectsBadRecords(t *testing.T) {
	cases := []struct {
		name   string
		count  int32
		delta  int32
		recs   []byte
		reason string
	}{
		// attrs, tsDelta, offDelta, keyLen, key, valLen, val, headers
		{"key longer than record", 1, 0, rawRecord(byte(0), 0, 0, 50, "k", -1, 0), "key length"},
		{"key length below -1", 1, 0, rawRecord(byte(0), 0, 0, -2, -1, 0), "key length"},
		{"value longer than record", 1, 0, rawRecord(byte(0), 0, 0, -1, 9, "v", 0), "value length"},
		{"header count bomb", 1, 0, rawRecord(byte(0), 0, 0, -1, -1, 1<<30), "header count"},
		{"negative header count", 1, 0, rawRecord(byte(0), 0, 0, -1, -1, -3), "header count"},
		{"negative header key length", 1, 0, rawRecord(byte(0), 0, 0, -1, -1, 1, -1, -1), "header 0 key length"},
		{"bad header value length", 1, 0, rawRecord(byte(0), 0, 0, -1, -1, 1, 1, "k", 7), "header 0 value length"},
		{"trailing bytes in record", 1, 0, rawRecord(byte(0), 0, 0, -1, -1, 0, "xx"), "fields take"},
		{"offset delta beyond last", 1, 0, rawRecord(byte(0), 0, 3, -1, -1, 0), "offset delta 3"},
		{"offset deltas not increasing", 2, 1, append(rawRecord(byte(0), 0, 1, -1, -1, 0), rawRecord(byte(0), 0, 1, -1, -1, 0)...), "offset delta 1"},
		{"record length past section", 1, 0, []byte{0x7e, 0, 0, 0}, "record length"},
		{"varint too long", 1, 0, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0}, "record length"},
		{"fewer records than count", 2, 1, rawRecord(byte(0), 0, 0, -1, -1, 0), "record length"},
		{"more records than count", 1, 1, append(rawRecord(byte(0), 0, 0, -1, -1, 0), rawRecord(byte(0), 0, 1, -1, -1, 0)...), "bytes after the last record"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var it Iterator
			it.Reset(encodeRaw(tc.count, tc.delta, tc.recs))
			for it.Next() {
			}
			requireCorrupt(t, it.Err(), tc.reason)
		})
	}
}

func TestIteratorAcceptsHandWrittenRecord(t *testing.T) {
	// The same encoder shape as the failure cases, well formed, so that
	// they fail for the reason they name and not for a mistake in rawRecord.
	recs := append(rawRecord(byte(0), -4, 0, 1, "k", 2, "vv", 1, 1, "h", -1), rawRecord(byte(0), 9, 2, -1, 0, 0)...)
	batch := encodeRaw(2, 2, recs)
	be.PutUint64(batch[baseTimestampOffset:], 1000)
	fixCRC(batch)
	require.NoError(t, batch.Validate())
	got := decodeAll(t, batch)
	require.Len(t, got, 2)
	require.Equal(t, int64(996), got[0].Timestamp)
	require.Equal(t, "k", string(got[0].Key))
	require.Equal(t, "vv", string(got[0].Value))
	require.Equal(t, "h", string(got[0].Headers[0].Key))
	require.Nil(t, got[0].Headers[0].Value)
	require.Equal(t, int64(2), got[1].Offset, "offset gaps left by compaction are kept")
	require.Nil(t, got[1].Key)
	require.NotNil(t, got[1].Value)
	require.Empty(t, got[1].Value)
}

func TestIteratorDecompressionLimit(t *testing.T) {
	b := NewBuilder()
	b.SetCodec(compress.Zstd)
	big := make([]byte, 1<<20)
	for i := 0; i < 8; i++ {
		b.Append(Record{Value: big})
	}
	batch, err := b.Build()
	require.NoError(t, err)
	require.Less(t, len(batch), 64<<10, "zeros compress well")

	var it Iterator
	it.SetMaxDecompressedSize(1 << 20)
	it.Reset(batch)
	require.False(t, it.Next())
	require.ErrorIs(t, it.Err(), compress.ErrTooLarge)
	require.ErrorIs(t, it.Err(), ErrCorrupt)

	it.SetMaxDecompressedSize(0) // the default admits 8 MiB
	it.Reset(batch)
	n := 0
	for it.Next() {
		n++
	}
	require.NoError(t, it.Err())
	require.Equal(t, 8, n)
}

func TestIteratorOnNonBatch(t *testing.T) {
	var it Iterator
	for _, p := range [][]byte{nil, make([]byte, 10), make([]byte, HeaderSize)} {
		it.Reset(p)
		require.False(t, it.Next())
		require.ErrorIs(t, it.Err(), ErrCorrupt)
	}
}

func TestIteratorEmptyBatch(t *testing.T) {
	batch := buildSample(t, compress.Gzip, 0)
	var it Iterator
	it.Reset(batch)
	require.False(t, it.Next())
	require.NoError(t, it.Err())
}
