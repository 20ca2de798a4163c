package offsets_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/commitlog-go/commitlog/offsets"
)

// A consumer that tracks its own position commits it and, when it starts
// again, reads it back.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "offsets-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	s, err := offsets.Open(dir, offsets.Options{})
	if err != nil {
		panic(err)
	}
	if err := s.Commit(ctx, "billing", offsets.Commit{Topic: "orders", Partition: 3, Offset: 1200, Metadata: "worker-7"}); err != nil {
		panic(err)
	}
	s.Close()

	s, err = offsets.Open(dir, offsets.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	c, ok := s.Committed("billing", "orders", 3)
	fmt.Println(ok, c.Offset, c.Metadata)
	fmt.Println(s.Groups())
	// Output:
	// true 1200 worker-7
	// [billing]
}

// A tool reads the committed offsets of a store that a running program
// has open, without disturbing it: a read-only store takes no lock and
// changes no file, and refuses commits.
func ExampleOpen_readOnly() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "offsets-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// The program's store, open for writing.
	w, err := offsets.Open(dir, offsets.Options{})
	if err != nil {
		panic(err)
	}
	defer w.Close()
	if err := w.Commit(ctx, "billing", offsets.Commit{Topic: "orders", Offset: 42}); err != nil {
		panic(err)
	}

	// The tool's.
	r, err := offsets.Open(dir, offsets.Options{ReadOnly: true})
	if err != nil {
		panic(err)
	}
	defer r.Close()
	c, _ := r.Committed("billing", "orders", 0)
	fmt.Println(r.Groups(), c.Offset)
	err = r.Commit(ctx, "billing", offsets.Commit{Topic: "orders", Offset: 43})
	fmt.Println(errors.Is(err, offsets.ErrReadOnly))
	// Output:
	// [billing] 42
	// true
}
