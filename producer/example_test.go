package producer_test

import (
	"context"
	"fmt"

	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// Produce keyed messages: each key's messages go to one partition, in
// order, and each Produce returns once its record is durable.
func Example() {
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	if _, err := reg.Create(context.Background(), "signups", topic.Config{Partitions: 4, Flush: topic.FlushAlways}); err != nil {
		panic(err)
	}
	prod, err := producer.New(reg, producer.Options{})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, user := range []string{"ada", "bob", "ada"} {
		ack, err := prod.Produce(ctx, producer.Message{Topic: "signups", Key: []byte(user), Value: []byte("signed up")})
		if err != nil {
			panic(err)
		}
		fmt.Println(user, "->", ack.Partition, ack.Offset)
	}
	// Output:
	// ada -> 1 0
	// bob -> 2 0
	// ada -> 1 1
}

// Send each message to the partition it names, with a producer whose
// partitioner is the manual one.
func ExampleNewManualPartitioner() {
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	ctx := context.Background()
	if _, err := reg.Create(ctx, "shards", topic.Config{Partitions: 3}); err != nil {
		panic(err)
	}
	prod, err := producer.New(reg, producer.Options{Partitioner: producer.NewManualPartitioner()})
	if err != nil {
		panic(err)
	}
	for _, shard := range []int32{2, 0, 2} {
		ack, err := prod.Produce(ctx, producer.Message{Topic: "shards", Partition: shard, Value: []byte("v")})
		if err != nil {
			panic(err)
		}
		fmt.Println(ack.Partition, ack.Offset)
	}
	_, err = prod.Produce(ctx, producer.Message{Topic: "shards", Partition: 3})
	fmt.Println(err)
	// Output:
	// 2 0
	// 0 0
	// 2 1
	// producer: topic "shards" has no partition 3 (it has 3)
}
