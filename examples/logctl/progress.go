package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// progress reports how far a produce or a consume has got, on stderr: a
// line a second while it runs if stderr is a terminal, as pv and Kafka's
// perf-test tools do, and always a line when it ends.
//
//	12000 records, 1.1 MiB (11850 records/s, 1.1 MiB/s)
//	Produced a total of 12000 records (1.1 MiB) in 1.013s: 11846 records/s, 1.1 MiB/s
//
// add may be called from many goroutines.
type progress struct {
	w    io.Writer
	now  func() time.Time
	verb string // of the final line: "Produced"
	noun string // what is counted: "records"

	records, bytes atomic.Int64

	// mu guards the printing, and what the last line said.
	mu          sync.Mutex
	start, last time.Time
	lastRecords int64
	lastBytes   int64
	done        bool
}

// progressInterval is the time between two lines of progress.
const progressInterval = time.Second

func newProgress(w io.Writer, now func() time.Time, verb, noun string) *progress {
	t := now()
	return &progress{w: w, now: now, verb: verb, noun: noun, start: t, last: t}
}

// add counts records of bytes in all.
func (p *progress) add(records, bytes int64) {
	p.records.Add(records)
	p.bytes.Add(bytes)
}

// tick prints a line of progress if a second has passed since the last
// one (or the start), with the rate over that time.
func (p *progress) tick(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := now.Sub(p.last)
	if p.done || elapsed < progressInterval {
		return
	}
	records, bytes := p.records.Load(), p.bytes.Load()
	secs := elapsed.Seconds()
	fmt.Fprintf(p.w, "%d %s, %s (%s %s/s, %s/s)\n", records, p.noun, formatSize(bytes),
		formatRate(float64(records-p.lastRecords)/secs), p.noun, formatSize(int64(float64(bytes-p.lastBytes)/secs)))
	p.last, p.lastRecords, p.lastBytes = now, records, bytes
}

// finish prints the final line: the totals and the average rates. Later
// ticks print nothing.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	elapsed := p.now().Sub(p.start)
	records, bytes := p.records.Load(), p.bytes.Load()
	secs := max(elapsed.Seconds(), 1e-3) // a rate of a few records in no time is still a number
	fmt.Fprintf(p.w, "%s a total of %d %s (%s) in %v: %s %s/s, %s/s\n", p.verb, records, p.noun, formatSize(bytes),
		elapsed.Round(time.Millisecond), formatRate(float64(records)/secs), p.noun, formatSize(int64(float64(bytes)/secs)))
}

// run calls tick at each value of ticks until stop is closed.
func (p *progress) run(ticks <-chan time.Time, stop <-chan struct{}) {
	for {
		select {
		case now := <-ticks:
			p.tick(now)
		case <-stop:
			return
		}
	}
}

// progressPoll is how often a terminal's progress looks at the clock:
// often enough that the lines come about a second apart.
const progressPoll = 100 * time.Millisecond

// startProgress starts counting, printing a line a second if stderr is a
// terminal. The returned function stops it and prints the final line.
func (e *env) startProgress(verb, noun string) (*progress, func()) {
	p := newProgress(e.stderr, time.Now, verb, noun)
	if !isTerminal(e.stderr) {
		return p, p.finish
	}
	ticker := time.NewTicker(progressPoll)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { p.run(ticker.C, stop) })
	return p, func() {
		ticker.Stop()
		close(stop)
		wg.Wait()
		p.finish()
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// formatRate writes a rate with three significant digits or more.
func formatRate(r float64) string {
	switch {
	case r < 10:
		return fmt.Sprintf("%.2f", r)
	case r < 100:
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}
