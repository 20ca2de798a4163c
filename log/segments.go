package log

// SegmentInfo describes one segment of a log, for tools and tests.
type SegmentInfo struct {
	// BaseOffset is the offset the segment is named by.
	BaseOffset int64
	// Size is the size of its log file in bytes.
	Size int64
	// LastOffset is the offset of its last record, BaseOffset-1 when it is
	// empty.
	LastOffset int64
	// MaxTimestamp is its largest batch timestamp, segment.NoTimestamp
	// when it has none.
	MaxTimestamp int64
}

// Segments describes the log's segments, oldest first; the last is the
// active one. A sealed segment that the log has not read since it opened
// is checked first (see segment.Segment.Verify), which reads its last
// index entry and the batches after it; damage it finds is the error.
func (l *Log) Segments() ([]SegmentInfo, error) {
	segs, release, err := l.acquireFrom(0)
	if err != nil {
		return nil, err
	}
	defer release()
	out := make([]SegmentInfo, 0, len(segs))
	for _, s := range segs {
		if err := s.Verify(); err != nil {
			return out, err
		}
		maxTS, err := s.MaxTimestamp()
		if err != nil {
			return out, err
		}
		out = append(out, SegmentInfo{BaseOffset: s.BaseOffset(), Size: s.Size(),
			LastOffset: s.NextOffset() - 1, MaxTimestamp: maxTS})
	}
	return out, nil
}
