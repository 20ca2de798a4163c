// Package prom turns the measurements commitlog reports (package
// github.com/commitlog-go/commitlog/metrics) into Prometheus metrics.
//
// A Collector is both: the metrics.Collector that the library's Options
// take, and a prometheus.Collector to register with a registry that an
// HTTP handler serves.
//
//	c := prom.New(prom.Options{})
//	prometheus.MustRegister(c)
//	reg, err := topic.Open(dir, topic.Options{Metrics: c})
//	http.Handle("/metrics", promhttp.Handler())
//
// Each metric is named after its metrics.Metric, as Prometheus' naming
// conventions ask (see Name): commitlog_append_records_total,
// commitlog_fsync_duration_seconds, commitlog_consumer_lag. Each carries
// three labels: topic, partition and group, empty where they
// do not apply. It lives in its own module so that the library itself
// depends on no monitoring system.
package prom
