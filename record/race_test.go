//go:build race

package record

// raceEnabled is true when the race detector is on. It makes sync.Pool
// drop objects at random, so allocation counts mean nothing then.
const raceEnabled = true
