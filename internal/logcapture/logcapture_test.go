package logcapture

import (
	"log/slog"
	"testing"
)

func TestRecordsAttrsFromWithAndGroups(t *testing.T) {
	logger, rec := New()
	logger = logger.With("topic", "orders").WithGroup("seg")
	logger.Warn("cut", "offset", int64(7), slog.Group("file", "name", "0.log"))
	logger.Info("other")

	got := rec.Find("cut")
	if len(got) != 1 {
		t.Fatalf("found %d entries, want 1:\n%s", len(got), rec.Dump())
	}
	e := got[0]
	if e.Level != slog.LevelWarn || e.String("topic") != "orders" || e.String("seg.file.name") != "0.log" {
		t.Fatalf("entry %s", e.Format())
	}
	if off, ok := e.Int("seg.offset"); !ok || off != 7 {
		t.Fatalf("seg.offset = %d, %v in %s", off, ok, e.Format())
	}
	if len(rec.Entries()) != 2 {
		t.Fatalf("%d entries, want 2", len(rec.Entries()))
	}
}
