package compress

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzLimits are the limits each fuzz input is decoded under: none at all,
// one below most of the seed corpus's decoded sizes, and a roomy one.
var fuzzLimits = []int{0, 100, 64 << 10}

func FuzzAppendDecompressed(f *testing.F) {
	seed := jsonLines(2000)
	for _, c := range allCodecs {
		f.Add(mustCompress(f, c, seed))
	}
	f.Add(xerialStream(f, seed, 512))
	f.Add(zstdStream(f, seed))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range allCodecs {
			// Any input survives a round trip through every codec.
			packed, err := c.AppendCompressed(nil, data)
			if err != nil {
				t.Fatalf("%v: compressing: %v", c, err)
			}
			out, err := c.AppendDecompressed(nil, packed, len(data))
			if err != nil || !bytes.Equal(out, data) {
				t.Fatalf("%v: round trip failed: %v", c, err)
			}

			// Any input given to the decoder gives an error of ours
			// or at most limit bytes.
			for _, limit := range fuzzLimits {
				prefix := []byte("prefix")
				out, err := c.AppendDecompressed(prefix, data, limit)
				if err != nil {
					if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
						t.Fatalf("%v: unexpected error %v", c, err)
					}
					if string(out) != "prefix" {
						t.Fatalf("%v: failed call changed dst to %q", c, out)
					}
					continue
				}
				if string(out[:len(prefix)]) != "prefix" {
					t.Fatalf("%v: dst's bytes were changed", c)
				}
				if n := len(out) - len(prefix); n > limit {
					t.Fatalf("%v: %d bytes out with a limit of %d", c, n, limit)
				}
				if len(out) > len(prefix) && limit > 0 {
					// Whatever decodes under one limit decodes the
					// same under a larger one.
					again, err := c.AppendDecompressed(nil, data, limit+1)
					if err != nil || string(again) != string(out[len(prefix):]) {
						t.Fatalf("%v: decoded differently under a larger limit: %v", c, err)
					}
				}
			}
		}
	})
}
