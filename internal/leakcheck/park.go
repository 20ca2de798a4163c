package leakcheck

// park signals started, waits for stop and then closes done. It is here,
// outside the test files, so that the tests have a library goroutine to
// find.
func park(started chan<- struct{}, stop <-chan struct{}, done chan<- struct{}) {
	close(started)
	<-stop
	close(done)
}
