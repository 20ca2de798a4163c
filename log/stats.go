package log

// Stats is a snapshot of a log's shape, for monitoring: what is better
// pulled when asked than pushed on every change (see package metrics for
// what is pushed).
type Stats struct {
	// Segments is the number of segments, the active one included, and
	// Bytes their size together.
	Segments int
	Bytes    int64
	// ActiveBaseOffset and ActiveBytes describe the active segment.
	ActiveBaseOffset int64
	ActiveBytes      int64
	// LogStartOffset and LogEndOffset bound the offsets the log holds.
	LogStartOffset, LogEndOffset int64
	// RecoveryPoint is the offset below which every record is known to
	// be on stable storage; LogEndOffset minus it is what a power cut
	// could lose now.
	RecoveryPoint int64
	// Failure is the error that makes the log refuse writes until it is
	// reopened, or nil.
	Failure error
	// Closed says Close has been called.
	Closed bool
}

// Stats returns a snapshot of the log's shape. It takes no lock the
// writer holds; its fields are each current, not all of one instant.
func (l *Log) Stats() Stats {
	list := l.segs.Load()
	active := list.active()
	st := Stats{
		Segments:         len(list.segs),
		ActiveBaseOffset: active.BaseOffset(),
		ActiveBytes:      active.Size(),
		LogStartOffset:   l.logStart.Load(),
		LogEndOffset:     l.logEnd.Load(),
		RecoveryPoint:    l.flush.recoveryPoint.Load(),
		Closed:           l.isClosed.Load(),
	}
	for _, s := range list.segs {
		st.Bytes += s.Size()
	}
	if f := l.failed.Load(); f != nil {
		st.Failure = f
	}
	return st
}
