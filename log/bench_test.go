package log

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/commitlog-go/commitlog/record"
)

var benchLogBytes = flag.Int64("bench.logbytes", 1<<30, "size of the log BenchmarkOpen and BenchmarkRecover build")

// benchBatch is a batch of 100 records of 100-byte values, the shape the
// performance targets are stated for.
func benchBatch(b *testing.B) []byte {
	builder := record.NewBuilder()
	for i := range 100 {
		v := make([]byte, 100)
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		builder.Append(record.Record{Timestamp: 1_700_000_000_000 + int64(i), Key: fmt.Appendf(nil, "key-%04d", i), Value: v})
	}
	batch, err := builder.Build()
	if err != nil {
		b.Fatal(err)
	}
	return append([]byte(nil), batch...)
}

func benchRecords() []record.Record {
	recs := make([]record.Record, 100)
	for i := range recs {
		v := make([]byte, 100)
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		recs[i] = record.Record{Timestamp: 1_700_000_000_000 + int64(i), Key: fmt.Appendf(nil, "key-%04d", i), Value: v}
	}
	return recs
}

func benchLog(b *testing.B, opts Options) *Log {
	l, err := Open(filepath.Join(b.TempDir(), "p-0"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// BenchmarkAppendBatches appends pre-built batches of 100 records of 100
// bytes, without fsync: the log checks each batch (CRC included), stamps
// its offset and epoch and writes it.
func BenchmarkAppendBatches(b *testing.B) {
	batch := benchBatch(b)
	l := benchLog(b, Options{})
	b.SetBytes(int64(len(batch)))
	for b.Loop() {
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkAppendRecords has the log encode each batch of 100 records.
func BenchmarkAppendRecords(b *testing.B) {
	recs := benchRecords()
	l := benchLog(b, Options{})
	for b.Loop() {
		if _, err := l.AppendRecords(recs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkAppendBatchesSynced fsyncs every append.
func BenchmarkAppendBatchesSynced(b *testing.B) {
	batch := benchBatch(b)
	l := benchLog(b, Options{Flush: FlushAlways})
	b.SetBytes(int64(len(batch)))
	for b.Loop() {
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
}

// filledLog returns a log holding n batches of benchBatch.
func filledLog(b *testing.B, batches int, opts Options) *Log {
	batch := benchBatch(b)
	l := benchLog(b, opts)
	for range batches {
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
	return l
}

// BenchmarkReadSequential reads every record of a 200,000-record log with
// a Reader: batches read, checked and decoded.
func BenchmarkReadSequential(b *testing.B) {
	l := filledLog(b, 2000, Options{})
	r := l.NewReader(0)
	records := 0
	for b.Loop() {
		r.SetOffset(0)
		for r.Next() {
			records++
		}
		if r.Err() != nil {
			b.Fatal(r.Err())
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReadRandom reads one record at a random offset of a
// 200,000-record log per operation.
func BenchmarkReadRandom(b *testing.B) {
	l := filledLog(b, 2000, Options{})
	rng := rand.New(rand.NewPCG(1, 1))
	r := l.NewReader(0)
	for b.Loop() {
		off := rng.Int64N(l.LogEndOffset())
		r.SetOffset(off)
		if !r.Next() || r.Record().Offset != off {
			b.Fatal("missing record", off, r.Err())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}

// bigLog writes a log of *benchLogBytes in 1,000 segments and returns its
// directory, closed cleanly or abandoned as a crash would leave it.
func bigLog(b *testing.B, clean bool) (string, Options) {
	dir := filepath.Join(b.TempDir(), "p-0")
	opts := Options{SegmentBytes: max(*benchLogBytes/1000, 64<<10)}
	l, err := Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	batch := benchBatch(b)
	for l.Size() < *benchLogBytes {
		if _, err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
	}
	if clean {
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	} else {
		if err := l.Sync(b.Context()); err != nil {
			b.Fatal(err)
		}
		l.abandon()
	}
	return dir, opts
}

// BenchmarkOpenClean opens a cleanly closed log of about 1,000 segments;
// the Close that follows each Open is not timed.
func BenchmarkOpenClean(b *testing.B) {
	dir, opts := bigLog(b, true)
	var segments int
	for b.Loop() {
		l, err := Open(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		segments = l.NumSegments()
		b.StopTimer()
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(segments), "segments")
}

// BenchmarkRecover opens a log left by a crash, its recovery point
// removed so that every segment is read and checked. The background flush
// that follows recovery is not timed.
func BenchmarkRecover(b *testing.B) {
	dir, opts := bigLog(b, false)
	var size int64
	for b.Loop() {
		// Without the recovery point every segment is read, which is
		// what this measures.
		b.StopTimer()
		if err := os.Remove(filepath.Join(dir, recoveryPointFile)); err != nil && !os.IsNotExist(err) {
			b.Fatal(err)
		}
		b.StartTimer()
		l, err := Open(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		size = l.Size()
		b.StopTimer()
		l.abandon()
		b.StartTimer()
	}
	b.SetBytes(size)
}
