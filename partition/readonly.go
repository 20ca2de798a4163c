package partition

import "github.com/commitlog-go/commitlog/log"

// openHighWatermark is where the high watermark of a partition just opened
// on l starts. A single replica has committed everything its log holds:
// the log end, which a durable partition has synced by then. A read-only
// log is not synced, and may hold records its writer has not yet made
// durable (nor acknowledged, for a durable partition): a durable partition
// opened read-only serves only what the files show to be durable, the
// log's recovery point, so that its readers never see a record a crash
// could still take back.
func openHighWatermark(l *log.Log, durable bool) int64 {
	if durable && l.Options().ReadOnly {
		return min(l.RecoveryPoint(), l.LogEndOffset())
	}
	return l.LogEndOffset()
}
