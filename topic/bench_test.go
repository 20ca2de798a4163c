package topic

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
)

// BenchmarkProduce has 64 goroutines produce 100-byte records
// asynchronously, b.N in all, and waits for every acknowledgement. The
// durable cases fsync every group commit.
func BenchmarkProduce(b *testing.B) {
	for _, bc := range []struct {
		name       string
		flush      log.FlushPolicy
		partitions int
		keyed      bool
	}{
		{"durable/partitions=1", log.FlushAlways, 1, false},
		{"durable/partitions=8/keyed", log.FlushAlways, 8, true},
		{"nosync/partitions=1", log.FlushNever, 1, false},
		{"nosync/partitions=8/keyed", log.FlushNever, 8, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r, err := Open(b.TempDir(), Options{RetentionCheckInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Create("bench", Config{Partitions: bc.partitions, Flush: bc.flush}); err != nil {
				b.Fatal(err)
			}
			prod, err := r.NewProducer(ProducerOptions{})
			if err != nil {
				b.Fatal(err)
			}
			value := make([]byte, 100)
			var failed atomic.Int64
			cb := func(_ Ack, err error) {
				if err != nil {
					failed.Add(1)
				}
			}
			const goroutines = 64
			ctx := context.Background()
			b.SetBytes(100)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					key := fmt.Appendf(nil, "key-%d", g)
					m := Message{Topic: "bench", Value: value}
					if bc.keyed {
						m.Key = key
					}
					for i := g; i < b.N; i += goroutines {
						prod.ProduceAsync(ctx, m, cb)
					}
				})
			}
			wg.Wait()
			if err := prod.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d produces failed", n)
			}
			prod.Close()
		})
	}
}

// BenchmarkProduceSync has 64 goroutines each wait for every record's
// acknowledgement, as request-response callers do: at most 64 records
// share a group commit.
func BenchmarkProduceSync(b *testing.B) {
	for _, flush := range []log.FlushPolicy{log.FlushAlways, log.FlushNever} {
		b.Run(flush.String(), func(b *testing.B) {
			r, err := Open(b.TempDir(), Options{RetentionCheckInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Create("bench", Config{Flush: flush}); err != nil {
				b.Fatal(err)
			}
			prod, err := r.NewProducer(ProducerOptions{})
			if err != nil {
				b.Fatal(err)
			}
			value := make([]byte, 100)
			b.SetBytes(100)
			b.ReportAllocs()
			b.SetParallelism(32) // 64 goroutines on 2 cores
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				m := Message{Topic: "bench", Value: value}
				for pb.Next() {
					if _, err := prod.Produce(context.Background(), m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}

// BenchmarkTopicReader reads b.N 100-byte records spread over 8
// partitions with a topic reader.
func BenchmarkTopicReader(b *testing.B) {
	r, err := Open(b.TempDir(), Options{RetentionCheckInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	tp, err := r.Create("bench", Config{Partitions: 8})
	if err != nil {
		b.Fatal(err)
	}
	prod, err := r.NewProducer(ProducerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, 100)
	ctx := context.Background()
	for i := range b.N {
		prod.ProduceAsync(ctx, Message{Topic: "bench", Key: fmt.Appendf(nil, "%d", i%1000), Value: value}, nil)
	}
	if err := prod.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	rd, err := tp.NewReader(ReaderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(100)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := rd.Next(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
}

// BenchmarkOpenIdlePartitions opens a registry holding one topic of 1,000
// partitions of 100 records each, closed cleanly; the Close after each
// Open is not timed.
func BenchmarkOpenIdlePartitions(b *testing.B) {
	dir := b.TempDir()
	r, err := Open(dir, Options{RetentionCheckInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	tp, err := r.Create("idle", Config{Partitions: 1000})
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]record.Record, 100)
	for i := range recs {
		recs[i] = record.Record{Value: make([]byte, 100)}
	}
	for _, p := range tp.Partitions() {
		if _, err := p.AppendRecords(recs...); err != nil {
			b.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(dir, Options{RetentionCheckInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
