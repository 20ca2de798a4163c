package metricstest

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/commitlog-go/commitlog/metrics"
)

type key struct {
	m metrics.Metric
	l metrics.Labels
}

// Collector sums counters, keeps the last value of gauges and every
// observation of histograms, per metric and labels. It checks that each
// call matches the metric's kind and remembers the mismatches.
type Collector struct {
	mu         sync.Mutex
	sums       map[key]float64
	gauges     map[key]float64
	observed   map[key][]float64
	mismatches []string
}

// New returns an empty collector.
func New() *Collector {
	return &Collector{sums: map[key]float64{}, gauges: map[key]float64{}, observed: map[key][]float64{}}
}

func (c *Collector) check(m metrics.Metric, want metrics.Kind, call string) {
	if m.Kind() != want {
		c.mismatches = append(c.mismatches, fmt.Sprintf("%s(%s), a %s", call, m, m.Kind()))
	}
}

// Add implements metrics.Collector.
func (c *Collector) Add(m metrics.Metric, l metrics.Labels, delta float64) {
	c.mu.Lock()
	c.check(m, metrics.Counter, "Add")
	c.sums[key{m, l}] += delta
	c.mu.Unlock()
}

// Set implements metrics.Collector.
func (c *Collector) Set(m metrics.Metric, l metrics.Labels, v float64) {
	c.mu.Lock()
	c.check(m, metrics.Gauge, "Set")
	c.gauges[key{m, l}] = v
	c.mu.Unlock()
}

// Observe implements metrics.Collector.
func (c *Collector) Observe(m metrics.Metric, l metrics.Labels, v float64) {
	c.mu.Lock()
	c.check(m, metrics.Histogram, "Observe")
	c.observed[key{m, l}] = append(c.observed[key{m, l}], v)
	c.mu.Unlock()
}

// Sum returns the total of counter m under labels l.
func (c *Collector) Sum(m metrics.Metric, l metrics.Labels) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sums[key{m, l}]
}

// SumAll returns the total of counter m under every label set.
func (c *Collector) SumAll(m metrics.Metric) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t float64
	for k, v := range c.sums {
		if k.m == m {
			t += v
		}
	}
	return t
}

// Gauge returns the last value of gauge m under l, and whether one was set.
func (c *Collector) Gauge(m metrics.Metric, l metrics.Labels) (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.gauges[key{m, l}]
	return v, ok
}

// Observations returns the values histogram m received under l.
func (c *Collector) Observations(m metrics.Metric, l metrics.Labels) []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.observed[key{m, l}])
}

// Mismatches lists the calls whose method did not match the metric's kind.
func (c *Collector) Mismatches() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.mismatches)
}

// Dump renders everything kept, for failure messages.
func (c *Collector) Dump() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var lines []string
	for k, v := range c.sums {
		lines = append(lines, fmt.Sprintf("counter %s %+v = %g", k.m, k.l, v))
	}
	for k, v := range c.gauges {
		lines = append(lines, fmt.Sprintf("gauge %s %+v = %g", k.m, k.l, v))
	}
	for k, v := range c.observed {
		lines = append(lines, fmt.Sprintf("histogram %s %+v = %v", k.m, k.l, v))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
