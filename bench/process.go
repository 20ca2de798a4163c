package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
)

// processUse is what the process holds: resident memory and open file
// descriptors.
type processUse struct {
	rss int64 // bytes
	fds int
}

// measureProcess collects garbage, returns freed memory to the kernel and
// reads the process's resident set and descriptor count from /proc.
func measureProcess() (processUse, error) {
	runtime.GC()
	debug.FreeOSMemory()
	var u processUse
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return u, fmt.Errorf("resident memory: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:")); ok {
			fields := bytes.Fields(rest)
			if len(fields) != 2 || string(fields[1]) != "kB" {
				return u, fmt.Errorf("resident memory: cannot read %q", sc.Text())
			}
			kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
			if err != nil {
				return u, fmt.Errorf("resident memory: %w", err)
			}
			u.rss = kb << 10
		}
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return u, fmt.Errorf("descriptors: %w", err)
	}
	u.fds = len(fds)
	return u, nil
}
