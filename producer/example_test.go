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
	if _, err := reg.Create("signups", topic.Config{Partitions: 4, Flush: topic.FlushAlways}); err != nil {
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
