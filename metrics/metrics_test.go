package metrics_test

import (
	"testing"

	"github.com/commitlog-go/commitlog/internal/metricstest"
	"github.com/commitlog-go/commitlog/metrics"
)

func TestEveryMetricIsDescribed(t *testing.T) {
	seen := map[string]bool{}
	all := metrics.All()
	if len(all) == 0 {
		t.Fatal("no metrics")
	}
	for _, m := range all {
		if !m.Valid() || m.Name() == "" || m.Unit() == "" || m.Help() == "" || m.Kind() == 0 {
			t.Errorf("metric %d is not fully described: %q %q %q %v", m, m.Name(), m.Unit(), m.Help(), m.Kind())
		}
		if seen[m.Name()] {
			t.Errorf("name %q used twice", m.Name())
		}
		seen[m.Name()] = true
	}
	if bad := metrics.Metric(len(all) + 1); bad.Valid() || bad.Name() != "" || bad.String() == "" {
		t.Errorf("metric past the list: valid %v name %q string %q", bad.Valid(), bad.Name(), bad.String())
	}
}

func TestWithFillsMissingLabels(t *testing.T) {
	c := metricstest.New()
	part := metrics.With(metrics.With(c, metrics.Labels{Group: "g"}), metrics.Labels{Topic: "orders", Partition: 3})
	part.Add(metrics.AppendRecords, metrics.Labels{}, 2)
	part.Set(metrics.ConsumerLag, metrics.Labels{}, 5)
	part.Observe(metrics.FsyncRecords, metrics.Labels{Topic: "other", Partition: 1}, 9)

	want := metrics.Labels{Topic: "orders", Partition: 3, Group: "g"}
	if got := c.Sum(metrics.AppendRecords, want); got != 2 {
		t.Errorf("counter under %+v = %g, want 2\n%s", want, got, c.Dump())
	}
	if got, ok := c.Gauge(metrics.ConsumerLag, want); !ok || got != 5 {
		t.Errorf("gauge under %+v = %g, %v\n%s", want, got, ok, c.Dump())
	}
	own := metrics.Labels{Topic: "other", Partition: 1, Group: "g"}
	if got := c.Observations(metrics.FsyncRecords, own); len(got) != 1 || got[0] != 9 {
		t.Errorf("a call's own topic should win: %v\n%s", got, c.Dump())
	}
	if m := c.Mismatches(); len(m) != 0 {
		t.Errorf("kind mismatches: %v", m)
	}
	if metrics.With(nil, want) != metrics.Discard || metrics.OrDiscard(nil) != metrics.Discard {
		t.Error("a nil collector should become Discard")
	}
}
