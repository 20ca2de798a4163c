package prom

import (
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/commitlog-go/commitlog/metrics"
)

// Options configure a Collector. The zero value is ready to use.
type Options struct {
	// Namespace prefixes every metric name. Default "commitlog".
	Namespace string
	// Buckets overrides the histogram buckets of the metrics it names.
	// Defaults: fsync durations from 50 µs to about 3 s, doubling; record
	// counts from 1 to 65,536, quadrupling.
	Buckets map[metrics.Metric][]float64
	// ConstLabels are added to every metric, e.g. the name of the
	// process's role. Default none.
	ConstLabels prometheus.Labels
}

// Default histogram buckets.
var (
	// DurationBuckets are the default buckets of histograms in seconds.
	DurationBuckets = prometheus.ExponentialBuckets(50e-6, 2, 17)
	// CountBuckets are the default buckets of histograms of counts.
	CountBuckets = prometheus.ExponentialBuckets(1, 4, 9)
)

// labelNames are the labels of every metric, in the order of
// metrics.Labels' fields.
var labelNames = []string{"topic", "partition", "group"}

// Collector is a metrics.Collector that keeps what the library reports in
// Prometheus vectors, and a prometheus.Collector that exposes them. It is
// safe for concurrent use.
type Collector struct {
	counters   map[metrics.Metric]*prometheus.CounterVec
	gauges     map[metrics.Metric]*prometheus.GaugeVec
	histograms map[metrics.Metric]*prometheus.HistogramVec
	all        []prometheus.Collector

	// children caches the labelled series of each metric, so that a call
	// on the append path is one map lookup, without allocating, rather
	// than the vector's hash of three label strings.
	mu       sync.RWMutex
	children map[childKey]any // prometheus.Counter, Gauge or Observer
}

type childKey struct {
	m metrics.Metric
	l metrics.Labels
}

// New returns a Collector with a vector for every metric in metrics.All.
func New(opts Options) *Collector {
	if opts.Namespace == "" {
		opts.Namespace = "commitlog"
	}
	c := &Collector{
		counters:   map[metrics.Metric]*prometheus.CounterVec{},
		gauges:     map[metrics.Metric]*prometheus.GaugeVec{},
		histograms: map[metrics.Metric]*prometheus.HistogramVec{},
		children:   map[childKey]any{},
	}
	for _, m := range metrics.All() {
		switch m.Kind() {
		case metrics.Counter:
			v := prometheus.NewCounterVec(prometheus.CounterOpts{
				Namespace: opts.Namespace, Name: Name(m), Help: m.Help(), ConstLabels: opts.ConstLabels,
			}, labelNames)
			c.counters[m] = v
			c.all = append(c.all, v)
		case metrics.Gauge:
			v := prometheus.NewGaugeVec(prometheus.GaugeOpts{
				Namespace: opts.Namespace, Name: Name(m), Help: m.Help(), ConstLabels: opts.ConstLabels,
			}, labelNames)
			c.gauges[m] = v
			c.all = append(c.all, v)
		case metrics.Histogram:
			buckets := opts.Buckets[m]
			if buckets == nil {
				buckets = CountBuckets
				if m.Unit() == "seconds" {
					buckets = DurationBuckets
				}
			}
			v := prometheus.NewHistogramVec(prometheus.HistogramOpts{
				Namespace: opts.Namespace, Name: Name(m), Help: m.Help(), ConstLabels: opts.ConstLabels,
				Buckets: buckets,
			}, labelNames)
			c.histograms[m] = v
			c.all = append(c.all, v)
		}
	}
	return c
}

// Name is the Prometheus name of m without the namespace, as Prometheus'
// conventions ask: its name, the base unit (seconds, bytes) when the name
// does not end with it already, and _total for a counter. Counts of
// things (records, segments) carry no unit.
func Name(m metrics.Metric) string {
	name := m.Name()
	if u := m.Unit(); (u == "seconds" || u == "bytes") && !strings.HasSuffix(name, "_"+u) {
		name += "_" + u
	}
	if m.Kind() == metrics.Counter {
		name += "_total"
	}
	return name
}

func labelValues(l metrics.Labels) []string {
	partition := ""
	if l.Topic != "" {
		partition = strconv.Itoa(int(l.Partition))
	}
	return []string{l.Topic, partition, l.Group}
}

// child returns the series of m under l, creating it with make on first use.
func (c *Collector) child(m metrics.Metric, l metrics.Labels, make func([]string) any) any {
	k := childKey{m, l}
	c.mu.RLock()
	v, ok := c.children[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.children[k]; ok {
		return v
	}
	v = make(labelValues(l))
	c.children[k] = v
	return v
}

// Add implements metrics.Collector. A metric that is not a counter, or
// that this version does not know, is ignored.
func (c *Collector) Add(m metrics.Metric, l metrics.Labels, delta float64) {
	vec, ok := c.counters[m]
	if !ok || delta < 0 {
		return
	}
	c.child(m, l, func(v []string) any { return vec.WithLabelValues(v...) }).(prometheus.Counter).Add(delta)
}

// Set implements metrics.Collector for gauges.
func (c *Collector) Set(m metrics.Metric, l metrics.Labels, value float64) {
	vec, ok := c.gauges[m]
	if !ok {
		return
	}
	c.child(m, l, func(v []string) any { return vec.WithLabelValues(v...) }).(prometheus.Gauge).Set(value)
}

// Observe implements metrics.Collector for histograms.
func (c *Collector) Observe(m metrics.Metric, l metrics.Labels, value float64) {
	vec, ok := c.histograms[m]
	if !ok {
		return
	}
	c.child(m, l, func(v []string) any { return vec.WithLabelValues(v...) }).(prometheus.Observer).Observe(value)
}

// Forget drops every series labelled with topic, as a service does once
// it has deleted the topic, so that its last values stop being exposed.
// A value reported for the topic afterwards starts its series again.
func (c *Collector) Forget(topic string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.children {
		if k.l.Topic == topic {
			delete(c.children, k)
		}
	}
	match := prometheus.Labels{"topic": topic}
	for _, v := range c.counters {
		v.DeletePartialMatch(match)
	}
	for _, v := range c.gauges {
		v.DeletePartialMatch(match)
	}
	for _, v := range c.histograms {
		v.DeletePartialMatch(match)
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, v := range c.all {
		v.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, v := range c.all {
		v.Collect(ch)
	}
}

var (
	_ metrics.Collector    = (*Collector)(nil)
	_ prometheus.Collector = (*Collector)(nil)
)
