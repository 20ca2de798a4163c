package log

// abandon releases the log's files and lock the way a crashed process
// would: no flush, no clean-shutdown marker.
func (l *Log) abandon() {
	l.mu.Lock()
	l.closed = true
	l.isClosed.Store(true)
	l.mu.Unlock()
	l.flush.stop()
	for _, s := range l.segs.Load().segs {
		s.Release()
	}
	l.lock.Close()
}
