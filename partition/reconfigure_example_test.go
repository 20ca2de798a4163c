package partition_test

import (
	"fmt"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/partition"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// A partition made durable while open: what it holds is synced at once,
// and from then on appends return once on stable storage.
func ExamplePartition_Reconfigure() {
	p, err := partition.Open("/data/orders-0", partition.Options{Topic: "orders", Log: log.Options{FS: vfs.NewMem()}})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	if _, err := p.AppendRecords(record.Record{Value: []byte("first")}); err != nil {
		panic(err)
	}
	opts := p.Options()
	opts.Durable = true
	if err := p.Reconfigure(opts); err != nil {
		panic(err)
	}
	fmt.Println("durable", p.Durable(), "flush", p.Options().Log.Flush, "high watermark", p.HighWatermark())
	// Output:
	// durable true flush always high watermark 1
}
