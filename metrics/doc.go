// Package metrics is the library's measurement hook: a Collector the
// application implements and hands to the options of each layer, and the
// list of what the layers report.
//
// The hook has no dependencies. An adapter turns it into the metrics of a
// monitoring system; the nested module
// github.com/commitlog-go/commitlog/metrics/prom is one for Prometheus.
//
// Calls arrive on the append, fsync and read paths, from many goroutines
// at once, so a Collector must be safe for concurrent use and cheap: an
// atomic add or a histogram bucket, never I/O or a lock held for long.
//
// Where a pull model fits better (how many segments a log has, its size,
// its recovery point) the layers offer Stats methods instead.
package metrics
