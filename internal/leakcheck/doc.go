// Package leakcheck finds goroutines that the library started and did not
// stop, for tests: everything the library starts must end on Close.
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
//
// A goroutine counts as the library's when the function it was started to
// run belongs to one of the module's packages, outside test files.
package leakcheck
