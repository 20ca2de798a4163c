package partition

import "github.com/commitlog-go/commitlog/log"

// Stats is a snapshot of a partition: its log's (see log.Stats) and its
// high watermark.
type Stats struct {
	log.Stats
	// HighWatermark is the end of the records consumers may read.
	HighWatermark int64
}

// Stats returns a snapshot of the partition, taking no lock that appends
// hold.
func (p *Partition) Stats() Stats {
	return Stats{Stats: p.log.Stats(), HighWatermark: p.HighWatermark()}
}
