// Package group runs consumer groups in this process: the members of a
// group share the partitions of its topics, each partition read by one
// member at a time, and move them between themselves as members join,
// leave or stop polling, committing their positions to the group's
// offsets (package offsets) so that a partition's next reader starts where
// the last one stopped.
//
//	groups, err := group.Open(reg, group.Options{})
//	m, err := groups.Join("billing", group.MemberOptions{Topics: []string{"orders"}})
//	defer m.Close()
//	for {
//		rec, err := m.Poll(ctx)
//		if err != nil { ... }
//		handle(rec)
//	}
//
// # Commits
//
// By default a member commits what Poll returned every
// MemberOptions.AutoCommitInterval, before it gives a partition up in a
// rebalance, and when it closes: a partition's next reader may read again
// what the last one returned since its last commit, but never skips a
// record (at-least-once; docs/CONSUMERS.md has the other guarantees, with
// code). A member commits only partitions it holds in the group's current
// state: once its session has lapsed its commits are refused with
// ErrRebalanced.
//
// # Concurrency
//
// A Coordinator is safe for use by many goroutines; a Member is for one.
package group
