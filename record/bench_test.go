package record

import (
	"fmt"
	"testing"
)

// benchRecords are 100 records of 100-byte values with 8-byte keys, the
// shape the performance targets are stated for.
func benchRecords() []Record {
	recs := make([]Record, 100)
	for i := range recs {
		value := make([]byte, 100)
		for j := range value {
			value[j] = byte('a' + (i+j)%26)
		}
		recs[i] = Record{Timestamp: 1_700_000_000_000 + int64(i), Key: fmt.Appendf(nil, "key-%04d", i), Value: value}
	}
	return recs
}

// BenchmarkBuild reports the cost of encoding a batch of 100 records with a
// reused Builder; ns/record is the figure to read.
func BenchmarkBuild(b *testing.B) {
	recs := benchRecords()
	for _, codec := range allCodecs {
		b.Run(codec.String(), func(b *testing.B) {
			builder := NewBuilder()
			var size int
			for b.Loop() {
				builder.Reset()
				builder.SetCodec(codec)
				for _, r := range recs {
					builder.Append(r)
				}
				batch, err := builder.Build()
				if err != nil {
					b.Fatal(err)
				}
				size = len(batch)
			}
			b.SetBytes(int64(builder.Size()))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
			b.ReportMetric(float64(size), "batch-bytes")
		})
	}
}

// BenchmarkIterate reports the cost of decoding every record of a batch of
// 100 with a reused Iterator.
func BenchmarkIterate(b *testing.B) {
	recs := benchRecords()
	for _, codec := range allCodecs {
		b.Run(codec.String(), func(b *testing.B) {
			builder := NewBuilder()
			builder.SetCodec(codec)
			for _, r := range recs {
				builder.Append(r)
			}
			built, err := builder.Build()
			if err != nil {
				b.Fatal(err)
			}
			batch := append(Batch(nil), built...)
			var it Iterator
			var sum int
			for b.Loop() {
				it.Reset(batch)
				for it.Next() {
					sum += len(it.Record().Value)
				}
				if it.Err() != nil {
					b.Fatal(it.Err())
				}
			}
			b.SetBytes(int64(builder.Size()))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
		})
	}
}

// BenchmarkValidate reports the cost of checking a batch of 100 records,
// CRC included, as a log does on append.
func BenchmarkValidate(b *testing.B) {
	builder := NewBuilder()
	for _, r := range benchRecords() {
		builder.Append(r)
	}
	batch, err := builder.Build()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(batch)))
	for b.Loop() {
		if err := batch.Validate(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/record")
}

// BenchmarkScan reports the cost of walking a segment-sized stream of
// batches with every check on, as recovery does.
func BenchmarkScan(b *testing.B) {
	builder := NewBuilder()
	for _, r := range benchRecords() {
		builder.Append(r)
	}
	batch, err := builder.Build()
	if err != nil {
		b.Fatal(err)
	}
	var data []byte
	for len(data) < 4<<20 {
		data = append(data, batch...)
	}
	b.SetBytes(int64(len(data)))
	var s Scanner
	for b.Loop() {
		s.Reset(data, CheckAll)
		for s.Next() {
		}
		if s.Err() != nil {
			b.Fatal(s.Err())
		}
	}
}
