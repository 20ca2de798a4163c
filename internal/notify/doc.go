// Package notify wakes goroutines that wait for something to change: a
// log's end, a partition's high watermark, a topic's partitions. A waiter
// takes a channel, checks its condition, and sleeps on the channel; a
// change closes it. Thousands of waiters cost no polling and wake
// together.
//
//	var n notify.Notifier
//	for {
//		changed := n.Wait()
//		if ready() {
//			break
//		}
//		<-changed
//	}
package notify
