//go:build race

package main

// raceEnabled makes TestMain build logctl with the race detector too, so
// that the end-to-end tests check the tool's own goroutines.
const raceEnabled = true
