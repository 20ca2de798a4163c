package topic

// TryNextForTest returns the next record of any partition without waiting.
func (r *TopicReader) TryNextForTest() (*Record, error) {
	for _, c := range r.cursors {
		rec, err := c.next()
		if rec != nil || err != nil {
			return rec, err
		}
	}
	return nil, nil
}
