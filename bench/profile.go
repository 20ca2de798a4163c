package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// profileDir is where children write CPU profiles; empty for none.
var profileDir string

// startProfile starts a CPU profile of one phase, when profileDir is set,
// and returns the function that stops and writes it.
func startProfile(storeName, phase string) (stop func() error, err error) {
	if profileDir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(profileDir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(profileDir, fmt.Sprintf("%s-%s.pprof", storeName, phase)))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
