package group_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/consumer/group"
	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// exampleRegistry opens a registry in memory with topic orders: two
// partitions of three records each.
func exampleRegistry(ctx context.Context) (*topic.Registry, *topic.Topic) {
	reg, err := topic.Open("/data", topic.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	orders, err := reg.Create(ctx, "orders", topic.Config{Partitions: 2})
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
	return reg, orders
}

// Two members of one group share a topic's partitions; the group's
// committed offsets say where each partition's next reader starts.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reg, _ := exampleRegistry(ctx)
	defer reg.Close()
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

	for _, m := range []*group.Member{a, b} {
		for range 2 {
			if _, err := m.Poll(ctx); err != nil {
				panic(err)
			}
		}
		if err := m.Commit(ctx); err != nil {
			panic(err)
		}
		fmt.Println(m.Assignment(), m.Positions())
	}
	d, err := groups.Describe("billing")
	if err != nil {
		panic(err)
	}
	for _, p := range d.Partitions {
		fmt.Println(p.Topic, p.Partition, "committed", p.Committed.Offset, "lag", p.Lag)
	}
	// Output:
	// [{orders 0}] map[{orders 0}:2]
	// [{orders 1}] map[{orders 1}:2]
	// orders 0 committed 2 lag 1
	// orders 1 committed 2 lag 1
}

// A partition moves from one member to another: the member giving it up
// commits its position there (automatic commits) before its OnRevoked
// runs, inside its next Poll, and the new member's OnAssigned runs once it
// can read from that position. Each member reads with All.
func Example_rebalanceCallbacks() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reg, orders := exampleRegistry(ctx)
	defer reg.Close()
	groups, err := group.Open(reg, group.Options{})
	if err != nil {
		panic(err)
	}
	options := func(name string) group.MemberOptions {
		return group.MemberOptions{
			Topics: []string{"orders"},
			OnAssigned: func(_ context.Context, tps []group.TopicPartition) {
				fmt.Println(name, "assigned", tps)
			},
			OnRevoked: func(_ context.Context, tps []group.TopicPartition) {
				c, _ := groups.Committed("billing", tps[0].Topic, tps[0].Partition)
				fmt.Println(name, "revoked", tps, "committed", c.Offset)
			},
		}
	}
	// read prints n records of m.
	read := func(name string, m *group.Member, n int) {
		for rec, err := range m.All(ctx) {
			if err != nil {
				panic(err)
			}
			fmt.Println(name, "read", rec.Partition, string(rec.Value))
			if n--; n == 0 {
				return
			}
		}
	}

	a, err := groups.Join("billing", options("a"))
	if err != nil {
		panic(err)
	}
	read("a", a, 4)
	b, err := groups.Join("billing", options("b"))
	if err != nil {
		panic(err)
	}
	// a gives partition 1 up at its next Poll.
	p0, _ := orders.Partition(0)
	if _, err := p0.AppendRecords(record.Record{Value: []byte("order 3")}); err != nil {
		panic(err)
	}
	read("a", a, 1)
	read("b", b, 2)
	if err := b.Close(); err != nil {
		panic(err)
	}
	if err := a.Close(); err != nil {
		panic(err)
	}
	// Output:
	// a assigned [{orders 0} {orders 1}]
	// a read 0 order 0
	// a read 0 order 1
	// a read 0 order 2
	// a read 1 order 0
	// a revoked [{orders 1}] committed 1
	// a read 0 order 3
	// b assigned [{orders 1}]
	// b read 1 order 1
	// b read 1 order 2
	// b revoked [{orders 1}] committed 3
	// a revoked [{orders 0}] committed 4
}

// A tool shows a group's committed offsets and lag while the program that
// runs the group has the registry open: it opens the registry read-only,
// and the groups with it.
func Example_readOnly() {
	ctx := context.Background()
	fsys := vfs.NewMem()
	// The program.
	reg, err := topic.Open("/data", topic.Options{FS: fsys})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	orders, err := reg.Create(ctx, "orders", topic.Config{})
	if err != nil {
		panic(err)
	}
	p, _ := orders.Partition(0)
	for i := range 5 {
		if _, err := p.AppendRecords(record.Record{Value: fmt.Appendf(nil, "order %d", i)}); err != nil {
			panic(err)
		}
	}
	groups, err := group.Open(reg, group.Options{})
	if err != nil {
		panic(err)
	}
	if err := groups.Commit(ctx, "billing", offsets.Commit{Topic: "orders", Offset: 3}); err != nil {
		panic(err)
	}

	// The tool.
	view, err := topic.Open("/data", topic.Options{FS: fsys, ReadOnly: true})
	if err != nil {
		panic(err)
	}
	defer view.Close()
	viewGroups, err := group.Open(view, group.Options{})
	if err != nil {
		panic(err)
	}
	d, err := viewGroups.Describe("billing")
	if err != nil {
		panic(err)
	}
	for _, p := range d.Partitions {
		fmt.Println(p.Topic, p.Partition, p.Committed.Offset, p.HighWatermark, p.Lag)
	}
	_, err = viewGroups.Join("billing", group.MemberOptions{Topics: []string{"orders"}})
	fmt.Println(errors.Is(err, group.ErrReadOnly))
	// Output:
	// orders 0 3 5 2
	// true
}
