package partition

import (
	"context"
	"testing"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
)

func benchRecords() []record.Record {
	recs := make([]record.Record, 100)
	for i := range recs {
		recs[i] = record.Record{Timestamp: 1_700_000_000_000, Value: make([]byte, 100)}
	}
	return recs
}

// BenchmarkAppendRecords appends batches of 100 records of 100 bytes to a
// partition on the OS filesystem, without and with durable appends.
func BenchmarkAppendRecords(b *testing.B) {
	for _, durable := range []bool{false, true} {
		name := "committed-when-written"
		if durable {
			name = "durable"
		}
		b.Run(name, func(b *testing.B) {
			p, err := Open(b.TempDir(), Options{Durable: durable, Log: log.Options{RetentionCheckInterval: -1}})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			recs := benchRecords()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.AppendRecords(recs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkReaderFollows has a reader wait for and read each batch as it
// is appended: the cost of the wake-up on top of the read.
func BenchmarkReaderFollows(b *testing.B) {
	p, err := Open(b.TempDir(), Options{Log: log.Options{RetentionCheckInterval: -1}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	recs := benchRecords()
	r := p.NewReader(0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.AppendRecords(recs...); err != nil {
			b.Fatal(err)
		}
		for range recs {
			for !r.Next() {
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
				if err := r.Wait(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
}
