package compress

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// jsonLines returns about n bytes of newline-separated JSON objects, the
// kind of payload a Kafka topic often carries, built from a fixed seed.
func jsonLines(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	users := []string{"ada", "grace", "edsger", "barbara", "ken", "dennis", "margaret", "alan"}
	actions := []string{"login", "logout", "view", "click", "purchase", "search"}
	buf := make([]byte, 0, n+256)
	for i := 0; len(buf) < n; i++ {
		buf = fmt.Appendf(buf,
			`{"seq":%d,"ts":%d,"user":%q,"action":%q,"item":%d,"amount":%.2f,"session":"%016x"}`+"\n",
			i, 1700000000000+int64(i)*37+rng.Int64N(1000),
			users[rng.IntN(len(users))], actions[rng.IntN(len(actions))],
			rng.IntN(100000), rng.Float64()*500, rng.Uint64())
	}
	return buf[:n]
}

// randomBytes returns n incompressible bytes built from a fixed seed.
func randomBytes(n int) []byte {
	buf := make([]byte, n)
	rand.NewChaCha8([32]byte{7}).Read(buf)
	return buf
}

func mustCompress(t testing.TB, c Codec, src []byte) []byte {
	t.Helper()
	out, err := c.AppendCompressed(nil, src)
	require.NoError(t, err)
	return out
}

func TestRoundTrip(t *testing.T) {
	inputs := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{'x'}},
		{"random 1MiB", randomBytes(1 << 20)},
		{"zeros 1MiB", make([]byte, 1<<20)},
		{"json 64KiB", jsonLines(64 << 10)},
		{"json 300KiB", jsonLines(300 << 10)},
	}
	for _, c := range allCodecs {
		for _, in := range inputs {
			t.Run(c.String()+"/"+in.name, func(t *testing.T) {
				packed := mustCompress(t, c, in.data)
				if c != None {
					require.NotEmpty(t, packed, "a stream is never empty")
				}
				out, err := c.AppendDecompressed(nil, packed, len(in.data))
				require.NoError(t, err)
				require.True(t, bytes.Equal(in.data, out), "round trip changed the data")

				// Both directions append to what dst already holds.
				prefix := []byte("prefix:")
				packed2, err := c.AppendCompressed(bytes.Clone(prefix), in.data)
				require.NoError(t, err)
				require.Equal(t, prefix, packed2[:len(prefix)])
				require.True(t, bytes.Equal(packed, packed2[len(prefix):]), "output must not depend on dst")
				out, err = c.AppendDecompressed(bytes.Clone(prefix), packed, len(in.data))
				require.NoError(t, err)
				require.Equal(t, prefix, out[:len(prefix)])
				require.True(t, bytes.Equal(in.data, out[len(prefix):]))
			})
		}
	}
}

func TestCompressionShrinks(t *testing.T) {
	data := jsonLines(64 << 10)
	for _, c := range allCodecs[1:] {
		packed := mustCompress(t, c, data)
		require.Less(t, len(packed), len(data)/2, "%v should at least halve JSON", c)
	}
}

func TestLimitIsInclusive(t *testing.T) {
	data := jsonLines(10000)
	for _, c := range allCodecs {
		t.Run(c.String(), func(t *testing.T) {
			packed := mustCompress(t, c, data)

			out, err := c.AppendDecompressed(nil, packed, len(data))
			require.NoError(t, err)
			require.Len(t, out, len(data))

			dst := []byte("keep")
			out, err = c.AppendDecompressed(dst, packed, len(data)-1)
			require.ErrorIs(t, err, ErrTooLarge)
			require.Equal(t, []byte("keep"), out, "a failed call returns dst unchanged")

			_, err = c.AppendDecompressed(nil, packed, 0)
			require.ErrorIs(t, err, ErrTooLarge)
			_, err = c.AppendDecompressed(nil, packed, -5)
			require.ErrorIs(t, err, ErrTooLarge)
		})
	}
}

func TestEmptyWithZeroLimit(t *testing.T) {
	for _, c := range allCodecs {
		packed := mustCompress(t, c, nil)
		out, err := c.AppendDecompressed(nil, packed, 0)
		require.NoError(t, err, c)
		require.Empty(t, out, c)
	}
}

func TestDecompressIntoSpareCapacity(t *testing.T) {
	data := jsonLines(50000)
	for _, c := range allCodecs {
		packed := mustCompress(t, c, data)
		dst := make([]byte, 3, 1<<20)
		out, err := c.AppendDecompressed(dst, packed, 1<<20)
		require.NoError(t, err, c)
		require.Equal(t, &dst[:1][0], &out[:1][0], "%v should decode in place", c)
		require.Equal(t, cap(dst), cap(out), "%v should keep dst's capacity", c)
		require.True(t, bytes.Equal(data, out[3:]), c)
	}
}

// bomb is a small stream that expands to far more than a caller would
// accept.
type bomb struct {
	name  string
	codec Codec
	data  []byte
}

// bombs returns, for each codec and for each variant of its stream that
// takes a different path through the decoder, a stream that expands to
// size bytes of zeros.
func bombs(t testing.TB, size int) []bomb {
	zeros := make([]byte, size)
	var bs []bomb
	for _, c := range allCodecs {
		bs = append(bs, bomb{c.String(), c, mustCompress(t, c, zeros)})
	}
	return append(bs,
		bomb{"snappy-xerial", Snappy, xerialStream(t, zeros, 1<<20)},
		bomb{"zstd-no-content-size", Zstd, zstdStream(t, zeros)},
		bomb{"lz4-4MiB-blocks", LZ4, lz4Stream(t, zeros)},
	)
}

// bytesPerRun returns the average number of bytes f allocates over runs
// calls, after one call to warm up.
func bytesPerRun(runs int, f func()) uint64 {
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

func TestBombs(t *testing.T) {
	const (
		size  = 64 << 20
		limit = 1 << 20
	)
	for _, b := range bombs(t, size) {
		t.Run(b.name, func(t *testing.T) {
			// The output grows to the limit by doubling: up to twice
			// the limit in all, plus the decoders' own state.
			maxAlloc := uint64(3 * limit)
			if b.name == "lz4-4MiB-blocks" {
				// The frame reader holds two buffers of the frame's
				// block size whatever the limit. They come from a
				// pool, and are counted here only if it was empty.
				maxAlloc += 2 * 4 << 20
			}

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			out, err := b.codec.AppendDecompressed(nil, b.data, limit)
			runtime.ReadMemStats(&after)

			require.ErrorIs(t, err, ErrTooLarge)
			require.Nil(t, out)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d-byte stream, %d bytes allocated", len(b.data), allocated)
			require.Less(t, allocated, maxAlloc)
			require.Less(t, allocated, uint64(size/4))
		})
	}
}

func TestTruncated(t *testing.T) {
	data := jsonLines(3000)
	for _, c := range allCodecs[1:] {
		t.Run(c.String(), func(t *testing.T) {
			packed := mustCompress(t, c, data)
			for n := range len(packed) {
				out, err := c.AppendDecompressed([]byte("x"), packed[:n], 1<<20)
				require.ErrorIs(t, err, ErrCorrupt, "prefix of %d of %d bytes", n, len(packed))
				require.Equal(t, []byte("x"), out)
			}
		})
	}
}

func TestTrailingGarbage(t *testing.T) {
	data := jsonLines(3000)
	for _, c := range allCodecs[1:] {
		for _, tail := range [][]byte{{0}, {0xff, 0xff, 0xff, 0xff}, []byte("garbage after the stream")} {
			packed := append(mustCompress(t, c, data), tail...)
			_, err := c.AppendDecompressed(nil, packed, 1<<20)
			require.ErrorIs(t, err, ErrCorrupt, "%v with %q appended", c, tail)
		}
	}
}

func TestCorrupt(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	garbage := [][]byte{
		{0xff},
		[]byte("not compressed at all"),
		randomBytes(4096),
		bytes.Repeat([]byte{0xff}, 64),
	}
	for _, c := range allCodecs[1:] {
		t.Run(c.String(), func(t *testing.T) {
			_, err := c.AppendDecompressed(nil, nil, 100)
			require.ErrorIs(t, err, ErrCorrupt, "empty input")
			for _, g := range garbage {
				_, err := c.AppendDecompressed(nil, g, 1<<20)
				require.ErrorIs(t, err, ErrCorrupt, "%q", g[:min(len(g), 16)])
			}

			// Damage a valid stream at random places: whatever comes
			// back, it must be an error of ours or the right size,
			// and never a panic.
			data := jsonLines(5000)
			packed := mustCompress(t, c, data)
			for range 2000 {
				bad := bytes.Clone(packed)
				for range 1 + rng.IntN(3) {
					bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
				}
				out, err := c.AppendDecompressed(nil, bad, len(data))
				if err != nil {
					require.True(t, errors.Is(err, ErrCorrupt) || errors.Is(err, ErrTooLarge), "%v", err)
				} else {
					require.LessOrEqual(t, len(out), len(data))
				}
			}
		})
	}
}

func TestChecksumsAreVerified(t *testing.T) {
	data := jsonLines(5000)
	for _, c := range []Codec{Gzip, LZ4, Zstd} {
		packed := mustCompress(t, c, data)
		// Each of these ends with a checksum of the decoded data.
		packed[len(packed)-5] ^= 0x01
		if c == Gzip {
			packed[len(packed)-8] ^= 0x01 // the CRC-32 before the size
		}
		_, err := c.AppendDecompressed(nil, packed, len(data))
		require.ErrorIs(t, err, ErrCorrupt, c)
	}
}

func TestErrorMessages(t *testing.T) {
	_, err := Gzip.AppendDecompressed(nil, []byte("nope"), 10)
	require.ErrorContains(t, err, "compress: corrupt input: ")
	_, err = None.AppendDecompressed(nil, []byte("12345"), 4)
	require.EqualError(t, err, "compress: decompressed size exceeds limit of 4 bytes")
	_, err = Codec(6).AppendCompressed(nil, nil)
	require.EqualError(t, err, "compress: unknown codec 6")
}

func TestConcurrentUse(t *testing.T) {
	inputs := [][]byte{nil, []byte("x"), jsonLines(1000), jsonLines(70000), randomBytes(20000)}
	const goroutines, rounds = 8, 30
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			var packed, out []byte
			for i := range rounds {
				c := allCodecs[(g+i)%len(allCodecs)]
				in := inputs[(g*7+i)%len(inputs)]
				var err error
				packed, err = c.AppendCompressed(packed[:0], in)
				if err == nil {
					out, err = c.AppendDecompressed(out[:0], packed, len(in))
				}
				if err == nil && !bytes.Equal(in, out) {
					err = fmt.Errorf("%v: round trip changed %d bytes", c, len(in))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestGzipHeader(t *testing.T) {
	packed := mustCompress(t, Gzip, []byte("hello"))
	// ID1 ID2 CM FLG, MTIME (none), XFL (fastest), OS (unknown).
	require.Equal(t, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 0xff}, packed[:10])
}
