package record

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
)

var allCodecs = []compress.Codec{compress.None, compress.Gzip, compress.Snappy, compress.LZ4, compress.Zstd}

// sampleRecords returns n records that exercise every optional field: nil
// and empty keys and values, headers with nil and empty values, and
// timestamps that go backwards (negative deltas).
func sampleRecords(n int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		r := &recs[i]
		r.Timestamp = 1_700_000_000_000 + int64(i)*3
		if i%7 == 2 {
			r.Timestamp -= 50_000 // earlier than the first record
		}
		switch i % 4 {
		case 0:
			r.Key = nil
		case 1:
			r.Key = []byte{}
		default:
			r.Key = fmt.Appendf(nil, "key-%d", i)
		}
		switch i % 5 {
		case 0:
			r.Value = nil
		case 1:
			r.Value = []byte{}
		default:
			r.Value = bytes.Repeat(fmt.Appendf(nil, "value-%d;", i), 1+i%9)
		}
		switch i % 3 {
		case 1:
			r.Headers = []Header{{Key: []byte("trace"), Value: []byte("abc")}, {Key: []byte(""), Value: nil}, {Key: []byte("empty"), Value: []byte{}}}
		case 2:
			r.Headers = []Header{{Key: []byte("only"), Value: fmt.Appendf(nil, "%d", i)}}
		}
	}
	return recs
}

// decodeAll iterates a batch and returns deep copies of its records.
func decodeAll(t testing.TB, b Batch) []Record {
	t.Helper()
	var it Iterator
	it.Reset(b)
	var out []Record
	for it.Next() {
		r := it.Record()
		c := Record{Offset: r.Offset, Timestamp: r.Timestamp, Key: clone(r.Key), Value: clone(r.Value)}
		for _, h := range r.Headers {
			c.Headers = append(c.Headers, Header{Key: clone(h.Key), Value: clone(h.Value)})
		}
		out = append(out, c)
	}
	require.NoError(t, it.Err())
	return out
}

func clone(p []byte) []byte {
	if p == nil {
		return nil
	}
	return append([]byte{}, p...)
}

// requireSameRecords compares records field by field, telling nil from
// empty, with offsets counted from base.
func requireSameRecords(t testing.TB, want []Record, base int64, got []Record) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		require.Equal(t, base+int64(i), g.Offset, "record %d offset", i)
		require.Equal(t, w.Timestamp, g.Timestamp, "record %d timestamp", i)
		require.Equal(t, w.Key == nil, g.Key == nil, "record %d key nil-ness", i)
		require.Equal(t, string(w.Key), string(g.Key), "record %d key", i)
		require.Equal(t, w.Value == nil, g.Value == nil, "record %d value nil-ness", i)
		require.Equal(t, string(w.Value), string(g.Value), "record %d value", i)
		require.Len(t, g.Headers, len(w.Headers), "record %d headers", i)
		for j := range w.Headers {
			require.Equal(t, string(w.Headers[j].Key), string(g.Headers[j].Key))
			require.Equal(t, w.Headers[j].Value == nil, g.Headers[j].Value == nil)
			require.Equal(t, string(w.Headers[j].Value), string(g.Headers[j].Value))
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, codec := range allCodecs {
		for _, n := range []int{0, 1, 2, 100, 100_000} {
			t.Run(fmt.Sprintf("%s/%d", codec, n), func(t *testing.T) {
				recs := sampleRecords(n)
				b := NewBuilder()
				b.SetCodec(codec)
				b.SetBaseOffset(1 << 40)
				b.SetPartitionLeaderEpoch(7)
				b.SetProducer(123456789, 3, 1000)
				for _, r := range recs {
					b.Append(r)
				}
				require.Equal(t, n, b.Len())
				batch, err := b.Build()
				require.NoError(t, err)
				require.NoError(t, batch.Validate())

				require.Equal(t, int64(1<<40), batch.BaseOffset())
				require.Equal(t, int32(7), batch.PartitionLeaderEpoch())
				require.Equal(t, int8(Magic), batch.Magic())
				require.Equal(t, codec, batch.Attributes().Codec())
				require.Equal(t, CreateTime, batch.Attributes().TimestampType())
				require.Equal(t, int32(n), batch.RecordCount())
				require.Equal(t, int32(n-1), batch.LastOffsetDelta())
				require.Equal(t, int64(1<<40)+int64(n), batch.NextOffset())
				require.Equal(t, int64(123456789), batch.ProducerID())
				require.Equal(t, int16(3), batch.ProducerEpoch())
				require.Equal(t, int32(1000), batch.BaseSequence())
				require.Equal(t, len(batch), batch.Size())
				if n == 0 {
					require.Equal(t, NoTimestamp, batch.BaseTimestamp())
					require.Equal(t, NoTimestamp, batch.MaxTimestamp())
				} else {
					maxTS := recs[0].Timestamp
					for _, r := range recs {
						maxTS = max(maxTS, r.Timestamp)
					}
					require.Equal(t, recs[0].Timestamp, batch.BaseTimestamp())
					require.Equal(t, maxTS, batch.MaxTimestamp())
				}
				requireSameRecords(t, recs, 1<<40, decodeAll(t, batch))
			})
		}
	}
}

func TestBuilderDefaultsAndFlags(t *testing.T) {
	b := NewBuilder()
	b.Append(Record{Timestamp: 5, Value: []byte("v")})
	batch, err := b.Build()
	require.NoError(t, err)
	require.Equal(t, int64(0), batch.BaseOffset())
	require.Equal(t, NoPartitionLeaderEpoch, batch.PartitionLeaderEpoch())
	require.Equal(t, NoProducerID, batch.ProducerID())
	require.Equal(t, NoProducerEpoch, batch.ProducerEpoch())
	require.Equal(t, NoSequence, batch.BaseSequence())
	require.Equal(t, Attributes(0), batch.Attributes())

	b.Reset()
	b.SetTransactional(true)
	b.SetControl(true)
	b.SetTimestampType(LogAppendTime)
	b.SetCodec(compress.Zstd)
	b.Append(Record{Key: AppendControlKey(nil, ControlCommit), Value: []byte{0, 0, 0, 0, 0, 1}})
	batch, err = b.Build()
	require.NoError(t, err)
	a := batch.Attributes()
	require.True(t, a.Transactional())
	require.True(t, a.Control())
	require.Equal(t, LogAppendTime, a.TimestampType())
	require.Equal(t, compress.Zstd, a.Codec())
	require.False(t, a.HasDeleteHorizon())
	require.Equal(t, "zstd|LogAppendTime|transactional|control", a.String())

	// Reset restores the defaults but keeps nothing of the old batch.
	b.Reset()
	require.Equal(t, 0, b.Len())
	b.Append(Record{Value: []byte("x")})
	batch, err = b.Build()
	require.NoError(t, err)
	require.Equal(t, Attributes(0), batch.Attributes())
	require.Equal(t, int32(1), batch.RecordCount())
}

func TestStampingKeepsCRC(t *testing.T) {
	b := NewBuilder()
	b.SetCodec(compress.LZ4)
	for _, r := range sampleRecords(10) {
		b.Append(r)
	}
	batch, err := b.Build()
	require.NoError(t, err)
	crc := batch.CRC()
	batch.SetBaseOffset(987654321)
	batch.SetPartitionLeaderEpoch(42)
	require.NoError(t, batch.Validate())
	require.Equal(t, crc, batch.CRC())
	require.Equal(t, int64(987654321), batch.BaseOffset())
	require.Equal(t, int32(42), batch.PartitionLeaderEpoch())
	got := decodeAll(t, batch)
	require.Equal(t, int64(987654321), got[0].Offset)
	require.Equal(t, int64(987654330), got[9].Offset)
}

func TestSetLogAppendTime(t *testing.T) {
	b := NewBuilder()
	for _, r := range sampleRecords(5) {
		b.Append(r)
	}
	batch, err := b.Build()
	require.NoError(t, err)
	batch.SetLogAppendTime(1_800_000_000_000)
	require.NoError(t, batch.Validate(), "the CRC must be recomputed")
	require.Equal(t, LogAppendTime, batch.Attributes().TimestampType())
	for _, r := range decodeAll(t, batch) {
		require.Equal(t, int64(1_800_000_000_000), r.Timestamp)
	}
}

func TestBuildTwiceAfterMoreRecords(t *testing.T) {
	b := NewBuilder()
	b.Append(Record{Value: []byte("a")})
	first, err := b.Build()
	require.NoError(t, err)
	require.Equal(t, int32(1), first.RecordCount())
	b.Append(Record{Value: []byte("b")})
	second, err := b.Build()
	require.NoError(t, err)
	require.NoError(t, second.Validate())
	got := decodeAll(t, second)
	require.Len(t, got, 2)
	require.Equal(t, "b", string(got[1].Value))
}

func TestBuilderReuseDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects; allocation counts are checked without it")
	}
	recs := sampleRecords(100)
	for _, codec := range allCodecs {
		t.Run(codec.String(), func(t *testing.T) {
			b := NewBuilder()
			build := func() {
				b.Reset()
				b.SetCodec(codec)
				for _, r := range recs {
					b.Append(r)
				}
				_, err := b.Build()
				require.NoError(t, err)
			}
			build() // grow the buffers once
			allocs := testing.AllocsPerRun(20, build)
			require.LessOrEqual(t, allocs, 1.0, "allocations per reused build")
		})
	}
}
