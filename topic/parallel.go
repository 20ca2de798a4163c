package topic

import (
	"context"
	"errors"
	"sync"
)

// partitionWorkers is how many partitions are opened or closed at once.
// Opening and closing a partition is mostly waiting for fsyncs of small
// files and directories, which the filesystem commits together when
// several are waiting: sixteen at a time open a thousand idle partitions
// several times faster than one at a time, without a goroutine each.
const partitionWorkers = 16

// inParallel calls fn(i) for every i in [0, n), at most partitionWorkers
// at a time, and returns the errors by index (nil where fn succeeded).
func inParallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	if n == 1 {
		errs[0] = fn(0)
		return errs
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, partitionWorkers) {
		wg.Go(func() {
			for i := range next {
				errs[i] = fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// firstError returns the first error of errs that is not the context's
// (which the others are likely to be the consequence of), else the first
// context error, else nil.
func firstError(errs []error) error {
	var first error
	for _, err := range errs {
		switch {
		case err == nil:
		case !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
			return err
		case first == nil:
			first = err
		}
	}
	return first
}
