// Package metricstest is a metrics.Collector that keeps what it is given,
// so that tests can assert what the library reports.
package metricstest
