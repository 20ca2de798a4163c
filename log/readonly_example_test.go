package log_test

import (
	"errors"
	"fmt"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// A tool reads a log that a writer holds open: a read-only Open takes no
// lock and changes no file, and shows the log as it was when opened.
func ExampleOpen_readOnly() {
	fsys := vfs.NewMem()
	w, err := log.Open("/data/p-0", log.Options{FS: fsys})
	if err != nil {
		panic(err)
	}
	defer w.Close()
	for _, v := range []string{"a", "b"} {
		if _, err := w.AppendRecords(record.Record{Value: []byte(v)}); err != nil {
			panic(err)
		}
	}

	ro, err := log.Open("/data/p-0", log.Options{FS: fsys, ReadOnly: true})
	if err != nil {
		panic(err)
	}
	defer ro.Close()
	if _, err := w.AppendRecords(record.Record{Value: []byte("c")}); err != nil {
		panic(err)
	}
	r := ro.NewReader(0)
	for r.Next() {
		fmt.Println(r.Record().Offset, string(r.Record().Value))
	}
	_, err = ro.AppendRecords(record.Record{Value: []byte("d")})
	fmt.Println("writer's end", w.LogEndOffset(), "reader's end", ro.LogEndOffset(), "append refused:", errors.Is(err, log.ErrReadOnly))
	// Output:
	// 0 a
	// 1 b
	// writer's end 3 reader's end 2 append refused: true
}
