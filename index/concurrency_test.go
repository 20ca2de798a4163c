package index

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// In this test every entry is a function of its offset, so a reader that
// saw a torn or stale entry would find one that breaks the rule.
func positionOf(offset int64) int64  { return (offset - testBase) * 10 }
func timestampOf(offset int64) int64 { return (offset-testBase)*3 + 1 }

// TestConcurrentReaders runs readers against a writer that appends,
// truncates, resets, flushes and resizes. Run it with -race.
func TestConcurrentReaders(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		const maxBytes = 2400 // 300 offset entries, 200 time entries
		x := openOffset(t, fsys, dir, maxBytes, true)
		y := openTime(t, fsys, dir, maxBytes, true)
		var done atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, 8)

		for r := range 4 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(r), 7))
				for !done.Load() {
					target := testBase + rng.Int64N(4000)
					if e := x.Lookup(target); e.Offset > max(target, testBase) || e.Position != positionOf(e.Offset) {
						errs <- errorf("offset lookup %d gave %+v", target, e)
						return
					}
					ts := rng.Int64N(12000)
					if e := y.Lookup(ts); e.Timestamp > ts || (e.Timestamp != NoTimestamp && e.Timestamp != timestampOf(e.Offset)) {
						errs <- errorf("time lookup %d gave %+v", ts, e)
						return
					}
					if r%2 == 0 {
						prev := OffsetEntry{Offset: -1, Position: -1}
						for e := range x.All() {
							if e.Offset <= prev.Offset || e.Position != positionOf(e.Offset) {
								errs <- errorf("entries %+v then %+v", prev, e)
								return
							}
							prev = e
						}
					} else {
						if e, ok := y.Last(); ok && e.Timestamp != timestampOf(e.Offset) {
							errs <- errorf("last time entry %+v", e)
							return
						}
						if n := x.Len(); n > x.MaxEntries() {
							errs <- errorf("%d entries of %d", n, x.MaxEntries())
							return
						}
					}
				}
			})
		}

		rng := rand.New(rand.NewPCG(99, 99))
		next := int64(testBase + 1)
		for step := range 20000 {
			switch k := rng.IntN(1000); {
			case k < 10:
				cut := testBase + rng.Int64N(next-testBase+1)
				x.TruncateTo(cut)
				y.TruncateTo(cut)
				next = cut + 1
			case k < 12:
				x.Reset()
				y.Reset()
				next = testBase + 1
			case k < 15:
				require.NoError(t, x.Flush())
				require.NoError(t, y.Flush())
			case k < 16:
				require.NoError(t, x.Resize(maxBytes+rng.IntN(100)*8))
				require.NoError(t, y.Resize(maxBytes+rng.IntN(100)*12))
			default:
				if x.Full() || y.Full() {
					x.TruncateTo(testBase + (next-testBase)/2)
					y.TruncateTo(testBase + (next-testBase)/2)
					next = testBase + (next-testBase)/2 + 1
					continue
				}
				off := next
				next += 1 + rng.Int64N(3)
				require.NoError(t, x.Append(off, positionOf(off)), "step %d", step)
				require.NoError(t, y.Append(timestampOf(off), off, false), "step %d", step)
			}
		}
		done.Store(true)
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		// What the writer left is what a reopen reads.
		want, wantT := offsetEntries(x), timeEntries(y)
		require.NoError(t, x.Close())
		require.NoError(t, y.Close())
		requireEntries(t, want, offsetEntries(openOffset(t, fsys, dir, maxBytes, false)))
		requireEntries(t, wantT, timeEntries(openTime(t, fsys, dir, maxBytes, false)))
	})
}
