package producer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/topic"
)

// BenchmarkProduce has 64 goroutines produce 100-byte records
// asynchronously, b.N in all, and waits for every acknowledgement. The
// durable cases fsync every group commit.
func BenchmarkProduce(b *testing.B) {
	for _, bc := range []struct {
		name       string
		flush      log.FlushPolicy
		partitions int32
		keyed      bool
	}{
		{"durable/partitions=1", log.FlushAlways, 1, false},
		{"durable/partitions=8/keyed", log.FlushAlways, 8, true},
		{"nosync/partitions=1", log.FlushNever, 1, false},
		{"nosync/partitions=8/keyed", log.FlushNever, 8, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r, err := topic.Open(b.TempDir(), topic.Options{RetentionCheckInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Create(context.Background(), "bench", topic.Config{Partitions: bc.partitions, Flush: bc.flush}); err != nil {
				b.Fatal(err)
			}
			prod, err := New(r, Options{})
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
			r, err := topic.Open(b.TempDir(), topic.Options{RetentionCheckInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Create(context.Background(), "bench", topic.Config{Flush: flush}); err != nil {
				b.Fatal(err)
			}
			prod, err := New(r, Options{})
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
