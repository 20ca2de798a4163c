package partition

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/commitlog-go/commitlog/internal/leakcheck"
)

// TestMain runs the tests, then fails if a goroutine the library started
// outlived them: everything the library starts must stop on Close.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		leakcheck.Check(func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, format+"\n", args...)
			code = 1
		}, 5*time.Second)
	}
	os.Exit(code)
}
