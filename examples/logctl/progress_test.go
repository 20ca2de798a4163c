package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a clock a test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestProgressTicksOncePerSecond drives the progress lines with a clock
// the test moves: a line once a second has passed since the last, none
// before, each with the totals and the rate of its second; the final line
// has the totals and the average rate, and nothing follows it.
func TestProgressTicksOncePerSecond(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	var out bytes.Buffer
	p := newProgress(&out, clock.Now, "Produced", "records")

	p.add(500, 512<<10)
	p.tick(clock.advance(500 * time.Millisecond))
	require.Empty(t, out.String(), "half a second: no line yet")
	p.add(500, 512<<10)
	p.tick(clock.advance(500 * time.Millisecond))
	require.Equal(t, "1000 records, 1 MiB (1000 records/s, 1 MiB/s)\n", out.String())

	out.Reset()
	p.add(100, 100<<10)
	p.tick(clock.advance(999 * time.Millisecond))
	require.Empty(t, out.String(), "less than a second after the last line")
	p.tick(clock.advance(time.Millisecond))
	require.Equal(t, "1100 records, 1.1 MiB (100 records/s, 100 KiB/s)\n", out.String(), "the rate of the last second")

	out.Reset()
	p.tick(clock.advance(2 * time.Second))
	require.Equal(t, "1100 records, 1.1 MiB (0.00 records/s, 0 B/s)\n", out.String(), "an idle second says so")

	out.Reset()
	clock.advance(time.Second) // 5 s in all
	p.finish()
	require.Equal(t, "Produced a total of 1100 records (1.1 MiB) in 5s: 220 records/s, 224.8 KiB/s\n", out.String())
	p.tick(clock.advance(10 * time.Second))
	require.Equal(t, 1, strings.Count(out.String(), "\n"), "nothing after the final line")
}

// TestProgressRunsOnTicks checks the goroutine that prints: each tick of
// its ticker prints a line when due, and it stops when told.
func TestProgressRunsOnTicks(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	out := &syncBuffer{}
	p := newProgress(out, clock.Now, "Processed", "messages")
	ticks := make(chan time.Time)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { p.run(ticks, stop); close(done) }()

	p.add(3, 30)
	ticks <- clock.advance(time.Second)
	ticks <- clock.advance(100 * time.Millisecond) // handled once the first is printed
	require.Equal(t, "3 messages, 30 B (3.00 messages/s, 30 B/s)\n", out.String())
	close(stop)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

// TestProgressNotTerminal checks that a stderr that is no terminal gets
// the final line only.
func TestProgressNotTerminal(t *testing.T) {
	var stderr bytes.Buffer
	e := &env{stderr: &stderr}
	p, end := e.startProgress("Processed", "messages")
	p.add(2, 10)
	end()
	require.Regexp(t, `^Processed a total of 2 messages \(10 B\) in \S+: [0-9.]+ messages/s, [0-9.]+ \S+/s\n$`, stderr.String())
	require.False(t, isTerminal(&stderr))
}
