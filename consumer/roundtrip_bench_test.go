package consumer

import (
	"context"
	"fmt"
	"testing"

	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// BenchmarkRoundTrip is what a unit test of code built on the library
// costs: open a registry, create a topic, produce 1,000 records one
// Produce at a time, read them back and close, on the in-memory
// filesystem and on a directory of the real one. Each iteration starts
// from an empty directory.
func BenchmarkRoundTrip(b *testing.B) {
	for _, flush := range []topic.FlushPolicy{topic.FlushNever, topic.FlushAlways} {
		for _, fs := range []string{"mem", "disk"} {
			b.Run(fmt.Sprintf("flush=%s/fs=%s", flush, fs), func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					opts, dir := topic.Options{FS: vfs.NewMem()}, "/data"
					if fs == "disk" {
						opts, dir = topic.Options{}, b.TempDir()
					}
					b.StartTimer()
					if err := roundTrip(opts, dir, flush, 1000); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// roundTrip opens a registry in dir, produces n records to a new topic,
// reads them back and closes the registry.
func roundTrip(opts topic.Options, dir string, flush topic.FlushPolicy, n int) error {
	ctx := context.Background()
	reg, err := topic.Open(dir, opts)
	if err != nil {
		return err
	}
	defer reg.Close()
	tp, err := reg.Create(ctx, "t", topic.Config{Partitions: 2, Flush: flush})
	if err != nil {
		return err
	}
	prod, err := producer.New(reg, producer.Options{})
	if err != nil {
		return err
	}
	value := make([]byte, 100)
	for i := range n {
		if _, err := prod.Produce(ctx, producer.Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", i%10), Value: value}); err != nil {
			return err
		}
	}
	r, err := NewTopicReader(tp, Options{})
	if err != nil {
		return err
	}
	for i := range n {
		rec, err := r.TryNext()
		if err != nil {
			return err
		}
		if rec == nil {
			return fmt.Errorf("record %d of %d missing", i, n)
		}
	}
	return reg.Close()
}
