package compress

import (
	"bytes"
	"testing"
)

// benchInput is 64 KiB of JSON lines, a typical records section.
var benchInput = jsonLines(64 << 10)

func BenchmarkAppendCompressed(b *testing.B) {
	for _, c := range allCodecs {
		b.Run(c.String(), func(b *testing.B) {
			dst, err := c.AppendCompressed(nil, benchInput)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(benchInput)))
			b.ReportAllocs()
			for b.Loop() {
				dst, err = c.AppendCompressed(dst[:0], benchInput)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(benchInput))/float64(len(dst)), "ratio")
		})
	}
}

func BenchmarkAppendDecompressed(b *testing.B) {
	for _, c := range allCodecs {
		b.Run(c.String(), func(b *testing.B) {
			packed, err := c.AppendCompressed(nil, benchInput)
			if err != nil {
				b.Fatal(err)
			}
			dst, err := c.AppendDecompressed(nil, packed, len(benchInput))
			if err != nil || !bytes.Equal(dst, benchInput) {
				b.Fatal("round trip failed:", err)
			}
			b.SetBytes(int64(len(benchInput)))
			b.ReportAllocs()
			for b.Loop() {
				dst, err = c.AppendDecompressed(dst[:0], packed, len(benchInput))
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
