package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServesTheLayersMetrics runs the example for a second on a loopback
// port and checks that its own scrape shows what each layer reports.
func TestServesTheLayersMetrics(t *testing.T) {
	var out, logs bytes.Buffer
	cfg := config{addr: "127.0.0.1:0", dir: t.TempDir(), rate: 2000, duration: time.Second, scrape: true}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, cfg, &out, &logs); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	values := map[string]float64{}
	for line := range strings.Lines(out.String()) {
		fields := strings.Fields(line)
		if len(fields) != 2 {
			continue
		}
		name := fields[0]
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		values[name] += v
	}
	for _, name := range []string{
		"commitlog_append_records_total",
		"commitlog_fsyncs_total",
		"commitlog_fsync_duration_seconds_count",
		"commitlog_producer_batch_records_count",
		"commitlog_read_bytes_total",
	} {
		if values[name] <= 0 {
			t.Errorf("%s = %g, want > 0\n%s", name, values[name], out.String())
		}
	}
	if !strings.Contains(out.String(), `commitlog_consumer_lag{group="readers",partition="0",topic="events"}`) {
		t.Errorf("no lag series for the group\n%s", out.String())
	}
	if !strings.Contains(logs.String(), "topic created") {
		t.Errorf("the registry's log lines are missing:\n%s", logs.String())
	}
}
