package partition_test

import (
	"fmt"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// A durable partition: an append returns once on stable storage, and the
// high watermark, the end of what readers may see, moves with it.
func Example() {
	p, err := partition.Open("/data/orders-0", partition.Options{Topic: "orders", Log: log.Options{FS: vfs.NewMem()}, Durable: true})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	if _, err := p.AppendRecords(record.Record{Value: []byte("first")}, record.Record{Value: []byte("second")}); err != nil {
		panic(err)
	}
	fmt.Println("high watermark", p.HighWatermark())
	r := p.NewReader(0)
	for r.Next() {
		fmt.Println(r.Record().Offset, string(r.Record().Value))
	}
	// Output:
	// high watermark 2
	// 0 first
	// 1 second
}
