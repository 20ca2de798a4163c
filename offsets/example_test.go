package offsets_test

import (
	"context"
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
