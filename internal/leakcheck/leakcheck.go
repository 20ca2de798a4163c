package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// libraryFrame marks a goroutine started by the library: a frame of one of
// its packages in the function the goroutine was created to run.
const libraryFrame = "github.com/commitlog-go/commitlog/"

// Leaked returns the stacks of goroutines whose entry function belongs to
// the library, outside test files, waiting up to wait for them to end
// (goroutines finishing a Close may need a moment).
func Leaked(wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		leaked := libraryGoroutines()
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// libraryGoroutines returns the stacks of the goroutines started by the
// library that are alive now.
func libraryGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if startedByLibrary(g) {
			out = append(out, g)
		}
	}
	return out
}

// startedByLibrary reports whether the goroutine whose stack is g runs a
// function of the library's non-test code as its entry. In a stack dump
// the entry is the last frame, a function line and its file line, just
// before the "created by" pair.
func startedByLibrary(g string) bool {
	lines := strings.Split(strings.TrimSpace(g), "\n")
	for i := len(lines) - 1; i >= 2; i-- {
		if strings.HasPrefix(lines[i], "created by ") {
			entry, file := lines[i-2], lines[i-1]
			return strings.HasPrefix(entry, libraryFrame) && !strings.Contains(file, "_test.go")
		}
	}
	return false
}

// Check fails through report (t.Errorf, say) with the stacks of library
// goroutines still alive after wait.
func Check(report func(format string, args ...any), wait time.Duration) {
	if leaked := Leaked(wait); len(leaked) > 0 {
		report("%d goroutines of the library still run:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	}
}

// Main runs a package's tests and then fails the test binary if a library
// goroutine outlived them, waiting up to 5 seconds for stragglers. Call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if code == 0 {
		Check(func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, format+"\n", args...)
			code = 1
		}, 5*time.Second)
	}
	os.Exit(code)
}
