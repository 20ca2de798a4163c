package compress

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/s2"
	ksnappy "github.com/klauspost/compress/snappy"
	"github.com/stretchr/testify/require"
)

// This file measures github.com/golang/snappy, the library the Snappy codec
// is built on, against the snappy-compatible block encoders and the decoder
// of github.com/klauspost/compress, on the two paths the codec takes: one raw
// block per records section when producing, one decode into a buffer of the
// declared size when reading. docs/PERFORMANCE.md quotes the results.

// snappyEncoder is one way of writing a raw snappy block.
type snappyEncoder struct {
	name   string
	encode func(dst, src []byte) []byte
}

// snappyEncoders are the encoders compared. klauspost's snappy.Encode is
// s2.EncodeSnappyBetter under another name.
var snappyEncoders = []snappyEncoder{
	{"golang", snappy.Encode},
	{"klauspost", s2.EncodeSnappy},
	{"klauspost-better", s2.EncodeSnappyBetter},
}

// snappyDecoder is one way of reading a raw snappy block.
type snappyDecoder struct {
	name   string
	decode func(dst, src []byte) ([]byte, error)
}

// snappyDecoders are the decoders compared. klauspost's snappy.Decode is
// s2.Decode under another name.
var snappyDecoders = []snappyDecoder{
	{"golang", snappy.Decode},
	{"klauspost", s2.Decode},
}

// snappyBenchInput is one records section the comparison runs on.
type snappyBenchInput struct {
	name string
	data []byte
}

// snappyBenchInputs returns records sections of a small and a large batch,
// of JSON-like records and of incompressible bytes.
func snappyBenchInputs() []snappyBenchInput {
	var inputs []snappyBenchInput
	for _, size := range []int{16 << 10, 256 << 10} {
		kib := fmt.Sprintf("%dKiB", size>>10)
		inputs = append(inputs,
			snappyBenchInput{"json-" + kib, jsonLines(size)},
			snappyBenchInput{"random-" + kib, randomBytes(size)},
		)
	}
	return inputs
}

// snappyMaxEncodedLen is room enough for any of the encoders' output.
func snappyMaxEncodedLen(n int) int {
	return max(snappy.MaxEncodedLen(n), s2.MaxEncodedLen(n))
}

func TestSnappyEncodersInterchangeable(t *testing.T) {
	inputs := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{'x'}},
		{"json 16KiB", jsonLines(16 << 10)},
		{"json 300KiB", jsonLines(300 << 10)},
		{"random 256KiB", randomBytes(256 << 10)},
		{"zeros 1MiB", make([]byte, 1<<20)},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			for _, enc := range snappyEncoders {
				block := enc.encode(nil, in.data)
				for _, dec := range snappyDecoders {
					out, err := dec.decode(nil, block)
					require.NoError(t, err, "%s block, %s decoder", enc.name, dec.name)
					require.True(t, bytes.Equal(in.data, out), "%s block, %s decoder", enc.name, dec.name)
				}

				// The codec reads every encoder's block, raw and in
				// xerial chunks, within its bound on expansion.
				out, err := Snappy.AppendDecompressed(nil, block, len(in.data))
				require.NoError(t, err, enc.name)
				require.True(t, bytes.Equal(in.data, out), enc.name)
				framed := appendXerialChunk(xerialHeader(), block)
				out, err = Snappy.AppendDecompressed(nil, framed, len(in.data))
				require.NoError(t, err, enc.name)
				require.True(t, bytes.Equal(in.data, out), enc.name)
			}

			// What the codec writes, klauspost's snappy package reads.
			packed := mustCompress(t, Snappy, in.data)
			out, err := ksnappy.Decode(nil, packed)
			require.NoError(t, err)
			require.True(t, bytes.Equal(in.data, out))
		})
	}
}

// BenchmarkSnappyEncoders compresses a records section into a reused buffer,
// as a producer does for each batch. The ratio is input bytes per output
// byte.
func BenchmarkSnappyEncoders(b *testing.B) {
	for _, in := range snappyBenchInputs() {
		for _, enc := range snappyEncoders {
			b.Run("input="+in.name+"/impl="+enc.name, func(b *testing.B) {
				dst := make([]byte, snappyMaxEncodedLen(len(in.data)))
				var out []byte
				b.SetBytes(int64(len(in.data)))
				b.ReportAllocs()
				for b.Loop() {
					out = enc.encode(dst, in.data)
				}
				b.ReportMetric(float64(len(in.data))/float64(len(out)), "ratio")
			})
		}
	}
}

// BenchmarkSnappyDecoders decompresses a block that golang/snappy wrote, the
// codec's own output, into a buffer of its declared size, as a reader does
// for each batch.
func BenchmarkSnappyDecoders(b *testing.B) {
	for _, in := range snappyBenchInputs() {
		block := snappy.Encode(nil, in.data)
		for _, dec := range snappyDecoders {
			b.Run("input="+in.name+"/impl="+dec.name, func(b *testing.B) {
				dst := make([]byte, len(in.data))
				out, err := dec.decode(dst, block)
				if err != nil || !bytes.Equal(out, in.data) {
					b.Fatal("round trip failed:", err)
				}
				b.SetBytes(int64(len(in.data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := dec.decode(dst, block); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
