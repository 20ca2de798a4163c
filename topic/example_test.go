package topic_test

import (
	"fmt"

	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// A registry on the in-memory filesystem, as a unit test would open one:
// create a durable topic, look at it, grow it, delete it.
func Example() {
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()

	orders, err := reg.Create("orders", topic.Config{Partitions: 3, Flush: topic.FlushAlways})
	if err != nil {
		panic(err)
	}
	fmt.Println(orders.Name(), orders.NumPartitions(), orders.Config().Flush)
	if _, err := reg.Create("orders", topic.Config{}); err != nil {
		fmt.Println(err)
	}
	if err := reg.AddPartitions("orders", 5); err != nil {
		panic(err)
	}
	d, _ := reg.Describe("orders")
	fmt.Println(len(d.Partitions), d.Partitions[4].Dir)
	if err := reg.Delete("orders"); err != nil {
		panic(err)
	}
	fmt.Println(len(reg.Topics()))
	// Output:
	// orders 3 always
	// topic: topic already exists: "orders"
	// 5 /data/orders-4
	// 0
}
