package leakcheck

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFindsALibraryGoroutineUntilItEnds(t *testing.T) {
	started, stop, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go park(started, stop, done)
	<-started
	var once sync.Once
	release := func() { once.Do(func() { close(stop); <-done }) }
	defer release()
	require.Len(t, Leaked(0), 1, "a goroutine running park, a function of this package")
	release()
	require.Empty(t, Leaked(time.Second))
}

func TestIgnoresOtherGoroutines(t *testing.T) {
	stop := make(chan struct{})
	go func() { <-stop }() // its entry is in a test file
	defer close(stop)
	require.Empty(t, Leaked(time.Second))
}
