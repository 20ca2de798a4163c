package topic_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// A registry on the in-memory filesystem, as a unit test would open one:
// create a durable topic, look at it, grow it, delete it.
func Example() {
	ctx := context.Background()
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()

	orders, err := reg.Create(ctx, "orders", topic.Config{Partitions: 3, Flush: topic.FlushAlways})
	if err != nil {
		panic(err)
	}
	fmt.Println(orders.Name(), orders.NumPartitions(), orders.Config().Flush)
	if _, err := reg.Create(ctx, "orders", topic.Config{}); err != nil {
		fmt.Println(err)
	}
	if err := reg.AddPartitions(ctx, "orders", 5); err != nil {
		panic(err)
	}
	d, _ := reg.Describe("orders")
	fmt.Println(len(d.Partitions), d.Partitions[4].Dir)
	if err := reg.Delete(ctx, "orders"); err != nil {
		panic(err)
	}
	fmt.Println(len(reg.Topics()))
	// Output:
	// orders 3 always
	// topic: "orders" already exists
	// 5 /data/orders-4
	// 0
}

// A program that makes the topics it needs each time it starts: the first
// run creates the topic, later runs find it, grown or reconfigured as it
// may have been since.
func ExampleRegistry_CreateIfNotExists() {
	ctx := context.Background()
	fsys := vfs.NewMem()
	for run := range 2 {
		reg, err := topic.Open("/data", topic.Options{FS: fsys})
		if err != nil {
			panic(err)
		}
		events, created, err := reg.CreateIfNotExists(ctx, "events", topic.Config{Partitions: 2})
		if err != nil {
			panic(err)
		}
		fmt.Printf("run %d: created %t, %d partitions\n", run, created, events.NumPartitions())
		if run == 0 {
			if err := reg.AddPartitions(ctx, "events", 4); err != nil {
				panic(err)
			}
		}
		if err := reg.Close(); err != nil {
			panic(err)
		}
	}
	// Output:
	// run 0: created true, 2 partitions
	// run 1: created false, 4 partitions
}

// Keep a topic's records for a day and roll smaller segments, then put
// segment.bytes back to its default, as kafka-configs.sh --alter
// --add-config and --delete-config do.
func ExampleRegistry_AlterConfig() {
	ctx := context.Background()
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	if _, err := reg.Create(ctx, "logs", topic.Config{}); err != nil {
		panic(err)
	}

	cfg, err := reg.AlterConfig(ctx, "logs", func(c *topic.Config) {
		c.RetentionAge = 24 * time.Hour
		c.SegmentBytes = 64 << 20
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.RetentionAge, cfg.SegmentBytes)

	cfg, err = reg.AlterConfig(ctx, "logs", func(c *topic.Config) { c.SegmentBytes = 0 })
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.RetentionAge, cfg.SegmentBytes)

	_, err = reg.AlterConfig(ctx, "logs", func(c *topic.Config) { c.Partitions = 3 })
	fmt.Println(err)
	// Output:
	// 24h0m0s 67108864
	// 24h0m0s 1073741824
	// topic: cannot change the partition count of "logs" from 1 to 3 here: AddPartitions grows a topic
}

// A consumer that waits for a topic another goroutine has yet to create:
// take the channel, look, and sleep on the channel until the next change.
func ExampleRegistry_Changed() {
	ctx := context.Background()
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()

	found := make(chan *topic.Topic)
	go func() {
		for {
			changed := reg.Changed()
			t, err := reg.Topic("late")
			if !errors.Is(err, topic.ErrUnknownTopic) {
				found <- t // nil if the registry closed first
				return
			}
			<-changed
		}
	}()
	if _, err := reg.Create(ctx, "late", topic.Config{Partitions: 2}); err != nil {
		panic(err)
	}
	t := <-found
	fmt.Println(t.Name(), t.NumPartitions())
	// Output:
	// late 2
}

// State kept by topic name, committed offsets say, keeps the topic's ID
// beside it: a topic deleted and created again under the same name has
// another ID, so the state of the old one is not taken for the new one's.
func ExampleTopic_ID() {
	ctx := context.Background()
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	orders, err := reg.Create(ctx, "orders", topic.Config{})
	if err != nil {
		panic(err)
	}
	saved := orders.ID().String()

	if err := reg.Delete(ctx, "orders"); err != nil {
		panic(err)
	}
	orders, err = reg.Create(ctx, "orders", topic.Config{})
	if err != nil {
		panic(err)
	}
	id, err := topic.ParseID(saved)
	if err != nil {
		panic(err)
	}
	_, err = reg.TopicByID(id)
	fmt.Println(len(saved), orders.ID() == id, errors.Is(err, topic.ErrUnknownTopic))
	// Output:
	// 22 false true
}

// Topic IDs in Kafka's text form, as kafka-topics.sh --describe prints
// them: the ID Kafka gives its metadata topic, and a UUID in hex, which is
// not that form.
func ExampleParseID() {
	id, err := topic.ParseID("AAAAAAAAAAAAAAAAAAAAAQ")
	if err != nil {
		panic(err)
	}
	fmt.Println(id[15], id, id.IsZero())
	_, err = topic.ParseID("00000000-0000-0000-0000-000000000001")
	fmt.Println(err)
	// Output:
	// 1 AAAAAAAAAAAAAAAAAAAAAQ false
	// topic: invalid topic ID "00000000-0000-0000-0000-000000000001": 36 characters, want 22
}
