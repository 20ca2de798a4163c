package consumer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

// BenchmarkTopicReader reads b.N 100-byte records spread over 8
// partitions with a topic reader.
func BenchmarkTopicReader(b *testing.B) {
	r, err := topic.Open(b.TempDir(), topic.Options{RetentionCheckInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	tp, err := r.Create(context.Background(), "bench", topic.Config{Partitions: 8})
	if err != nil {
		b.Fatal(err)
	}
	prod, err := producer.New(r, producer.Options{})
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, 100)
	ctx := context.Background()
	for i := range b.N {
		prod.ProduceAsync(ctx, producer.Message{Topic: "bench", Key: fmt.Appendf(nil, "%d", i%1000), Value: value}, nil)
	}
	if err := prod.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	rd, err := NewTopicReader(tp, Options{})
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
