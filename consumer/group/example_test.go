package group_test

import (
	"context"
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/consumer/group"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// Two members of one group share a topic's partitions; the group's
// committed offsets say where each partition's next reader starts.
func Example() {
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	orders, err := reg.Create("orders", topic.Config{Partitions: 2})
	if err != nil {
		panic(err)
	}
	for _, p := range orders.Partitions() {
		for i := range 3 {
			if _, err := p.AppendRecords(record.Record{Value: fmt.Appendf(nil, "order %d", i)}); err != nil {
				panic(err)
			}
		}
	}
	groups, err := group.Open(reg, group.Options{})
	if err != nil {
		panic(err)
	}
	a, err := groups.Join("billing", group.MemberOptions{Topics: []string{"orders"}, ManualCommit: true})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	b, err := groups.Join("billing", group.MemberOptions{Topics: []string{"orders"}, ManualCommit: true})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, m := range []*group.Member{a, b} {
		for range 2 {
			if _, err := m.Poll(ctx); err != nil {
				panic(err)
			}
		}
		if err := m.Commit(); err != nil {
			panic(err)
		}
		fmt.Println(m.Assignment(), m.Positions())
	}
	for _, p := range groups.Describe("billing").Partitions {
		fmt.Println(p.Topic, p.Partition, "committed", p.Committed.Offset, "lag", p.Lag)
	}
	// Output:
	// [{orders 0}] map[{orders 0}:2]
	// [{orders 1}] map[{orders 1}:2]
	// orders 0 committed 2 lag 1
	// orders 1 committed 2 lag 1
}
