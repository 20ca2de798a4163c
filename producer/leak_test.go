package producer

import (
	"testing"

	"github.com/commitlog-go/commitlog/internal/leakcheck"
)

// TestMain fails the tests if a goroutine the library started outlives
// them: everything the library starts must stop on Close.
func TestMain(m *testing.M) { leakcheck.Main(m) }
