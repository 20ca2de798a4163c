package log_test

import (
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// Options can change while the log is open: start from the options in
// effect and change what is to change.
func ExampleLog_Reconfigure() {
	l, err := log.Open("/data/p-0", log.Options{FS: vfs.NewMem()})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	if _, err := l.AppendRecords(record.Record{Value: []byte("a")}); err != nil {
		panic(err)
	}
	fmt.Println(l.Options().Flush, "durable below", l.RecoveryPoint())

	opts := l.Options()
	opts.Flush = log.FlushAlways // syncs the record appended before, too
	opts.RetentionAge = 24 * time.Hour
	if err := l.Reconfigure(opts); err != nil {
		panic(err)
	}
	fmt.Println(l.Options().Flush, "durable below", l.RecoveryPoint())
	// Output:
	// never durable below 0
	// always durable below 1
}
