package main

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStores runs every registered store through the same checks, with
// and without syncEachAppend.
func TestStores(t *testing.T) {
	for _, name := range storeNames() {
		k, err := lookupStore(name)
		require.NoError(t, err)
		for _, syncEach := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/syncEachAppend=%v", name, syncEach), func(t *testing.T) {
				t.Parallel()
				testStore(t, k, storeOptions{syncEachAppend: syncEach})
			})
		}
	}
}

// testStore appends batches, checks them, reopens and checks again, then
// appends durably from many goroutines and checks every record arrived.
func testStore(t *testing.T, k storeKind, o storeOptions) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	gen := newTestValues(rng)

	s, err := k.open(dir, o)
	require.NoError(t, err)
	var want [][]byte
	for _, n := range []int{1, 100, 37} {
		batch := gen.make(n)
		require.NoError(t, s.appendBatch(batch))
		want = append(want, batch...)
	}
	require.NoError(t, s.sync())
	checkStore(t, s, want, rng)
	require.NoError(t, s.close())

	s, err = k.open(dir, o)
	require.NoError(t, err)
	checkStore(t, s, want, rng)

	const goroutines, each = 8, 50
	durable := make([][][]byte, goroutines)
	for g := range durable {
		durable[g] = gen.make(each)
	}
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for _, v := range durable[g] {
				if errs[g] = s.appendDurable(v); errs[g] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	got := scanStore(t, s)
	require.Len(t, got, len(want)+goroutines*each)
	require.Equal(t, want, got[:len(want)], "records appended before the durable ones")
	present := map[string]bool{}
	for _, v := range got[len(want):] {
		present[string(v)] = true
	}
	for g := range durable {
		for _, v := range durable[g] {
			require.True(t, present[string(v)], "durable record %q missing", v)
		}
	}
	require.NoError(t, s.close())
}

// checkStore checks that s holds exactly want, by scan and by reading
// random sequence numbers, and that reading past the end fails.
func checkStore(t *testing.T, s store, want [][]byte, rng *rand.Rand) {
	t.Helper()
	require.Equal(t, want, scanStore(t, s))

	prefix := []byte("prefix:")
	for range 50 {
		seq := rng.Int64N(int64(len(want)))
		got, err := s.read(append([]byte(nil), prefix...), seq)
		require.NoError(t, err, "read %d", seq)
		require.Equal(t, append(append([]byte(nil), prefix...), want[seq]...), got, "read %d", seq)
	}
	_, err := s.read(nil, int64(len(want)))
	require.Error(t, err, "read past the end")
}

// scanStore returns copies of the values scan delivers, checking their
// sequence numbers run 0, 1, 2, ...
func scanStore(t *testing.T, s store) [][]byte {
	t.Helper()
	var got [][]byte
	err := s.scan(func(seq int64, value []byte) error {
		if seq != int64(len(got)) {
			return fmt.Errorf("scan gave sequence number %d, want %d", seq, len(got))
		}
		got = append(got, append([]byte(nil), value...))
		return nil
	})
	require.NoError(t, err)
	return got
}

// testValues makes distinct random values of 1 to 200 bytes.
type testValues struct {
	rng  *rand.Rand
	seen map[string]bool
}

// newTestValues returns a value maker drawing on rng.
func newTestValues(rng *rand.Rand) *testValues {
	return &testValues{rng: rng, seen: map[string]bool{}}
}

// make returns n values that differ from each other and from every value
// made before.
func (g *testValues) make(n int) [][]byte {
	vs := make([][]byte, 0, n)
	for len(vs) < n {
		v := make([]byte, 1+g.rng.IntN(200))
		for i := range v {
			v[i] = byte(g.rng.Uint32())
		}
		if g.seen[string(v)] {
			continue
		}
		g.seen[string(v)] = true
		vs = append(vs, v)
	}
	return vs
}
