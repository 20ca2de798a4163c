// Package crashtest kills test processes with SIGKILL at random moments,
// for tests of durability: a parent test runs a child test of the same
// binary that writes and reports what it wrote, kills it, and checks what
// survived.
//
//	func TestChild(t *testing.T) {
//		dir, ok := crashtest.ChildDir()
//		if !ok { t.Skip("run by TestKill") }
//		... write to dir, print "ack ..." lines, forever ...
//	}
//
//	func TestKill(t *testing.T) {
//		crashtest.Run(t, crashtest.Options{Child: "TestChild", Dir: dir, Line: ..., Check: ...})
//	}
//
// The number of iterations comes from the -crash.iterations flag, so
// that CI runs a few dozen and a long run is one flag away:
//
//	go test -run Crash ./log ./topic -crash.iterations=1000
package crashtest
