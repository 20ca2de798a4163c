package log_test

import (
	"fmt"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// A log on the in-memory filesystem: append records, read them back from
// an offset, and find where the log stands.
func Example() {
	l, err := log.Open("/data/p-0", log.Options{FS: vfs.NewMem(), Flush: log.FlushAlways})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	for _, v := range []string{"a", "b", "c"} {
		info, err := l.AppendRecords(record.Record{Key: []byte("k"), Value: []byte(v)})
		if err != nil {
			panic(err)
		}
		fmt.Println("appended at", info.FirstOffset)
	}
	r := l.NewReader(1)
	for r.Next() {
		fmt.Println(r.Record().Offset, string(r.Record().Value))
	}
	if err := r.Err(); err != nil {
		panic(err)
	}
	fmt.Println("start", l.LogStartOffset(), "end", l.LogEndOffset(), "durable below", l.RecoveryPoint())
	// Output:
	// appended at 0
	// appended at 1
	// appended at 2
	// 1 b
	// 2 c
	// start 0 end 3 durable below 3
}
