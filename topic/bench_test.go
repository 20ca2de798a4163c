package topic

import (
	"testing"

	"github.com/commitlog-go/commitlog/record"
)

// BenchmarkOpenIdlePartitions opens a registry holding one topic of 1,000
// partitions of 100 records each, closed cleanly; the Close after each
// Open is not timed.
func BenchmarkOpenIdlePartitions(b *testing.B) {
	dir := b.TempDir()
	r, err := Open(dir, Options{RetentionCheckInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	tp, err := r.Create(b.Context(), "idle", Config{Partitions: 1000})
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]record.Record, 100)
	for i := range recs {
		recs[i] = record.Record{Value: make([]byte, 100)}
	}
	for _, p := range tp.Partitions() {
		if _, err := p.AppendRecords(recs...); err != nil {
			b.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(dir, Options{RetentionCheckInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
