package log

import "github.com/commitlog-go/commitlog/segment"

// acquireFrom returns the segments from the one holding offset to the
// active one, each with a reference held, and a function that releases
// them. It retries on a newer snapshot if the writer dropped a segment in
// between, and fails with ErrClosed once the log is closed.
func (l *Log) acquireFrom(offset int64) ([]*segment.Segment, func(), error) {
	for {
		list := l.segs.Load()
		segs := list.segs[list.find(offset):]
		n := 0
		for n < len(segs) && segs[n].Retain() {
			n++
		}
		if n == len(segs) {
			return segs, func() { releaseAll(segs) }, nil
		}
		releaseAll(segs[:n])
		if l.isClosed.Load() {
			return nil, nil, ErrClosed
		}
	}
}

// acquireSegment returns the segment at index i of the current snapshot
// that holds offset, with a reference held, and the snapshot.
func (l *Log) acquireSegment(offset int64) (*segmentList, int, error) {
	for {
		list := l.segs.Load()
		i := list.find(offset)
		if list.segs[i].Retain() {
			return list, i, nil
		}
		if l.isClosed.Load() {
			return nil, 0, ErrClosed
		}
	}
}

func releaseAll(segs []*segment.Segment) {
	for _, s := range segs {
		s.Release()
	}
}
