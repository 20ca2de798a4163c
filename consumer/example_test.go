package consumer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// Read a partition from an offset, then wait for the next record.
func ExampleNewPartitionReader() {
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	views, err := reg.Create(context.Background(), "views", topic.Config{})
	if err != nil {
		panic(err)
	}
	p, _ := views.Partition(0)
	for _, page := range []string{"/", "/docs", "/blog"} {
		if _, err := p.AppendRecords(record.Record{Value: []byte(page)}); err != nil {
			panic(err)
		}
	}

	r, err := consumer.NewPartitionReader(views, 0, consumer.Options{Start: consumer.AtOffset(1)})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go p.AppendRecords(record.Record{Value: []byte("/about")})
	for range 3 {
		rec, err := r.Next(ctx) // the last one waits for the append above
		if err != nil {
			panic(err)
		}
		fmt.Println(rec.Offset, string(rec.Value))
	}
	// Output:
	// 1 /docs
	// 2 /blog
	// 3 /about
}

// Read every partition of a topic, as a subscriber does, until nothing is
// left.
func ExampleNewTopicReader() {
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	events, err := reg.Create(context.Background(), "events", topic.Config{Partitions: 2})
	if err != nil {
		panic(err)
	}
	for i, p := range events.Partitions() {
		if _, err := p.AppendRecords(record.Record{Value: fmt.Appendf(nil, "hello from %d", i)}); err != nil {
			panic(err)
		}
	}
	r, err := consumer.NewTopicReader(events, consumer.Options{Start: consumer.Earliest()})
	if err != nil {
		panic(err)
	}
	for {
		rec, err := r.TryNext()
		if err != nil {
			panic(err)
		}
		if rec == nil {
			break
		}
		fmt.Println(rec.Partition, rec.Offset, string(rec.Value))
	}
	// Output:
	// 0 0 hello from 0
	// 1 0 hello from 1
}
