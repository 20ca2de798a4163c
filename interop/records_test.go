package interop

import (
	"bytes"
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/record"
)

var codecs = []compress.Codec{compress.None, compress.Gzip, compress.Snappy, compress.LZ4, compress.Zstd}

// sampleRecords returns n records that use every optional field: nil and
// empty keys and values, headers with nil and empty values, and a
// timestamp earlier than the first (a negative delta).
func sampleRecords(n int) []record.Record {
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixMilli()
	recs := make([]record.Record, n)
	for i := range recs {
		r := &recs[i]
		r.Timestamp = base + int64(i)*11
		if i == 3 {
			r.Timestamp = base - 5
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
		case 2:
			r.Value = nil
		case 3:
			r.Value = []byte{}
		default:
			r.Value = bytes.Repeat(fmt.Appendf(nil, "value-%d|", i), 1+i%6)
		}
		if i%3 == 0 {
			r.Headers = []record.Header{
				{Key: []byte("trace-id"), Value: fmt.Appendf(nil, "t%d", i)},
				{Key: []byte("no-value"), Value: nil},
				{Key: []byte("empty"), Value: []byte{}},
			}
		}
	}
	return recs
}

// buildBatch encodes recs as a client would send them: base offset 0, no
// producer id.
func buildBatch(codec compress.Codec, recs []record.Record) (record.Batch, error) {
	b := record.NewBuilder()
	b.SetCodec(codec)
	for _, r := range recs {
		b.Append(r)
	}
	batch, err := b.Build()
	if err != nil {
		return nil, err
	}
	return append(record.Batch(nil), batch...), nil
}
