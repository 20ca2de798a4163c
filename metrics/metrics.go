package metrics

import "fmt"

// Kind says how a metric's values combine.
type Kind uint8

const (
	// Counter values are deltas (Collector.Add): a running total that
	// only grows.
	Counter Kind = iota + 1
	// Gauge values replace the last one (Collector.Set).
	Gauge
	// Histogram values are observations (Collector.Observe), one per
	// event: a latency, a size.
	Histogram
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Counter:
		return "counter"
	case Gauge:
		return "gauge"
	case Histogram:
		return "histogram"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Labels say what a value is about. Topic is empty for a log opened on
// its own; Partition is meaningful only when Topic is set; Group is set
// by consumer groups only.
type Labels struct {
	Topic     string
	Partition int32
	Group     string
}

// Collector receives measurements. Add is called for counters, Set for
// gauges and Observe for histograms, each with the metric's Kind; an
// implementation may ignore metrics it does not know, so that a newer
// library can report more.
type Collector interface {
	Add(m Metric, l Labels, delta float64)
	Set(m Metric, l Labels, value float64)
	Observe(m Metric, l Labels, value float64)
}

// Discard is a Collector that drops everything: what a nil Collector in
// any Options means.
var Discard Collector = discard{}

type discard struct{}

func (discard) Add(Metric, Labels, float64)     {}
func (discard) Set(Metric, Labels, float64)     {}
func (discard) Observe(Metric, Labels, float64) {}

// OrDiscard returns c, or Discard when c is nil.
func OrDiscard(c Collector) Collector {
	if c == nil {
		return Discard
	}
	return c
}

// With returns a Collector that passes every call on to c with the
// labels l has and the call's lack filled in: a call's own non-empty
// Topic (and its Partition with it) and Group win. A topic wraps the
// collector it is given this way for each partition's log, as a
// *slog.Logger gains attributes with With.
func With(c Collector, l Labels) Collector {
	if c == nil || c == Discard {
		return Discard
	}
	if w, ok := c.(*labeled); ok {
		return &labeled{next: w.next, labels: merge(l, w.labels)}
	}
	return &labeled{next: c, labels: l}
}

type labeled struct {
	next   Collector
	labels Labels
}

func (w *labeled) Add(m Metric, l Labels, v float64) { w.next.Add(m, merge(l, w.labels), v) }
func (w *labeled) Set(m Metric, l Labels, v float64) { w.next.Set(m, merge(l, w.labels), v) }
func (w *labeled) Observe(m Metric, l Labels, v float64) {
	w.next.Observe(m, merge(l, w.labels), v)
}

// merge fills what l lacks from outer.
func merge(l, outer Labels) Labels {
	if l.Topic == "" {
		l.Topic, l.Partition = outer.Topic, outer.Partition
	}
	if l.Group == "" {
		l.Group = outer.Group
	}
	return l
}
