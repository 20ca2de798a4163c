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
//	for rec, err := range m.All(ctx) {
//		if err != nil { ... }
//		handle(rec)
//	}
//
// # Rebalancing
//
// A group rebalances when a member joins or leaves, when a member's
// session lapses (it stayed away from Poll for longer than its
// SessionTimeout), and when one of its topics is created, grows or is
// deleted. The rebalance runs at once, on the goroutine that caused it,
// under the group's lock:
//
//  1. A new generation begins, and the group's assignor computes every
//     member's share of the partitions that exist now: the assignment.
//     A topic that does not exist yet adds none; partitions of a deleted
//     topic are nobody's, and their holders lose them.
//  2. Each partition has at most one holder, the one member that may read
//     it. A partition whose holder is not its owner in the new assignment
//     is moving. It is freed at once when its holder has left, has not
//     started reading it, or has been away from Poll for at least its
//     RebalanceTimeout. Otherwise the holder gives it up at its next
//     Poll (a waiting Poll is woken for it): with automatic commits it
//     commits its position, calls OnRevoked, stops reading it, and frees
//     it. If it has not done so once its RebalanceTimeout has passed
//     since its last Poll, the partition is freed without it: a waiting
//     member wakes up for that moment.
//  3. A free partition goes to its owner, under a new lease. The owner's
//     next Poll waits for the commits queued before (those of the last
//     holder included), starts reading from the group's committed offset,
//     and calls OnAssigned.
//
// So a new member does not wait for the others to poll: its share of the
// free partitions, and of those held by members away from Poll, is its
// own from its first Poll; the rest follow as soon as their holders poll,
// or RebalanceTimeout after the holders' last Poll at the latest.
//
// A member reads a partition only inside Poll, and only after checking,
// under the group's lock, that it still holds it under the lease its
// reader was made for; the group frees a partition without its holder
// only while that holder is outside Poll. A holder that lost a partition
// drops its reader at its next Poll (calling OnLost), before it reads
// anything. So no two members read a partition at once, and a member that
// lost a partition and was given it back reads it afresh, from the
// committed offset, under its new lease.
//
// # Commits
//
// By default a member commits what Poll returned every
// MemberOptions.AutoCommitInterval, before it gives a partition up in a
// rebalance, and when it closes: a partition's next reader may read again
// what the last one returned since its last commit, but never skips a
// record (at-least-once; docs/CONSUMERS.md has the other guarantees, with
// code). A member commits only partitions it holds, under the lease of
// its reader: once its session has lapsed, or a rebalance took a
// partition from it while it was away, its commits naming the partition
// are refused with ErrRebalanced. The check and the queueing of a commit
// are one step under the group's lock, and commits are applied in the
// order they were queued, so a refused or late commit never replaces one
// of the partition's next holder. A partition freed without its holder
// goes on from the holder's last commit: what it returned since is read
// again.
//
// The calls that commit (Member.Commit, Member.CommitOffsets,
// Coordinator.Commit, Coordinator.DeleteGroup) take a context first. It
// bounds the wait for the write: if it ends first, the call returns
// ctx.Err() and the commit may still become durable. A context that has
// ended before the call commits nothing.
//
// # Callbacks
//
// MemberOptions.OnAssigned, OnRevoked and OnLost run on the member's
// goroutine, inside the Poll, PollBatch or All that takes part in the
// rebalance (or inside Close, for OnRevoked), with that call's context,
// and never two at once. They may call the member's Commit,
// CommitOffsets, Positions, Assignment and ID, and the coordinator's
// methods; Poll, PollBatch, All and Close return ErrInCallback. A slow
// OnRevoked delays the partitions' next owner: the member counts as
// taking part while it runs.
//
// # Read-only registries
//
// On a registry opened read-only (topic.Options.ReadOnly), as by a tool
// that looks at a registry another process has open, Open opens the
// committed offsets read-only: Describe, Groups and Committed show what
// was committed when Open read them, without the members, which live in
// the process that runs them. Join, Commit and DeleteGroup fail with an
// error wrapping ErrReadOnly, and nothing on disk changes.
//
// # Concurrency
//
// A Coordinator is safe for use by many goroutines; a Member is for one.
package group
