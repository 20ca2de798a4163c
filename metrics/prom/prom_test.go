package prom_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/commitlog-go/commitlog/log"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/metrics/prom"
	"github.com/commitlog-go/commitlog/record"
)

// TestEveryMetricRegisters checks that every metric the library reports
// gets a valid, distinct Prometheus name: the registry refuses any other.
func TestEveryMetricRegisters(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	c := prom.New(prom.Options{})
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	// Every vector is empty until a value comes: report one of each.
	for _, m := range metrics.All() {
		l := metrics.Labels{Topic: "t", Partition: 1}
		switch m.Kind() {
		case metrics.Counter:
			c.Add(m, l, 1)
		case metrics.Gauge:
			c.Set(m, l, 1)
		case metrics.Histogram:
			c.Observe(m, l, 1)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != len(metrics.All()) {
		t.Fatalf("%d families for %d metrics", len(families), len(metrics.All()))
	}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "commitlog_") {
			t.Errorf("%s lacks the namespace", f.GetName())
		}
	}
	for name, want := range map[metrics.Metric]string{
		metrics.AppendRecords:        "append_records_total",
		metrics.AppendBytes:          "append_bytes_total",
		metrics.FsyncSeconds:         "fsync_duration_seconds",
		metrics.RecoveryBytesScanned: "recovery_scanned_bytes_total",
		metrics.ConsumerLag:          "consumer_lag",
	} {
		if got := prom.Name(name); got != want {
			t.Errorf("Name(%s) = %q, want %q", name, got, want)
		}
	}
}

// TestALogReportsThroughTheCollector opens a log with the collector, as a
// topic would for one partition, and reads the counters back the way
// Prometheus scrapes them.
func TestALogReportsThroughTheCollector(t *testing.T) {
	c := prom.New(prom.Options{})
	labels := metrics.Labels{Topic: "orders", Partition: 2}
	l, err := log.Open(t.TempDir(), log.Options{Flush: log.FlushAlways, Metrics: metrics.With(c, labels)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 10 {
		if _, err := l.AppendRecords(record.Record{Value: []byte{byte(i)}}, record.Record{Value: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	want := `
# HELP commitlog_append_records_total Records appended to the log.
# TYPE commitlog_append_records_total counter
commitlog_append_records_total{group="",partition="2",topic="orders"} 20
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "commitlog_append_records_total"); err != nil {
		t.Fatal(err)
	}
	if got := counterValue(t, reg, "commitlog_fsyncs_total"); got < 10 {
		t.Fatalf("%g fsyncs for 10 appends under FlushAlways", got)
	}
	if n := testutil.CollectAndCount(c, "commitlog_fsync_duration_seconds"); n != 1 {
		t.Fatalf("%d fsync duration series, want one for the partition", n)
	}
	if got := counterValue(t, reg, "commitlog_append_bytes_total"); got != float64(l.Size()) {
		t.Fatalf("append bytes %g, log size %d", got, l.Size())
	}

	c.Forget("orders")
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("%d series left after Forget", n)
	}
}

// counterValue returns the value of the one series of counter family name.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no single series named %s", name)
	return 0
}

// TestServedOverHTTP scrapes the collector through promhttp on a loopback
// server, as Prometheus would.
func TestServedOverHTTP(t *testing.T) {
	c := prom.New(prom.Options{ConstLabels: prometheus.Labels{"service": "test"}})
	c.Add(metrics.SegmentRolls, metrics.Labels{}, 3)
	c.Set(metrics.ConsumerLag, metrics.Labels{Topic: "t", Partition: 0, Group: "g"}, 42)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`commitlog_segment_rolls_total{group="",partition="",service="test",topic=""} 3`,
		`commitlog_consumer_lag{group="g",partition="0",service="test",topic="t"} 42`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %s:\n%s", want, body)
		}
	}
}

// TestUnknownAndMismatchedMetricsAreIgnored: a newer library may report
// metrics this adapter does not know, and a call of the wrong kind must
// not panic or create a series.
func TestUnknownAndMismatchedMetricsAreIgnored(t *testing.T) {
	c := prom.New(prom.Options{})
	c.Add(metrics.Metric(9999), metrics.Labels{}, 1)
	c.Set(metrics.AppendRecords, metrics.Labels{}, 1)
	c.Observe(metrics.ConsumerLag, metrics.Labels{}, 1)
	c.Add(metrics.AppendRecords, metrics.Labels{}, -5) // counters only grow
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("%d series from calls that should be ignored", n)
	}
}

func TestCachedSeriesDoNotAllocate(t *testing.T) {
	c := prom.New(prom.Options{})
	l := metrics.Labels{Topic: "orders", Partition: 3}
	c.Add(metrics.AppendRecords, l, 1)
	c.Observe(metrics.FsyncSeconds, l, 0.001)
	allocs := testing.AllocsPerRun(1000, func() {
		c.Add(metrics.AppendRecords, l, 1)
		c.Observe(metrics.FsyncSeconds, l, 0.001)
	})
	if allocs > 0 {
		t.Fatalf("%g allocations per call on a cached series", allocs)
	}
}
