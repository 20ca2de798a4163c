// Package replication replicates one partition over several replicas with
// Kafka's protocol: a leader that takes appends, followers that pull its
// log, leader epochs that fence stale leaders, an in-sync replica set
// (ISR) and a high watermark below which records are committed. The
// application owns the network and the choice of leader: it carries
// fetches between replicas and tells each replica what the controller
// decided (a PartitionState).
//
// The package is built in steps. Present so far: the vocabulary every
// piece speaks (ReplicaID, Incarnation, PartitionState, Role, Acks, Clock),
// the errors with their codes on the wire (Kafka's numbers), and the
// election rule every controller applies (ElectLeader, FenceNode). The
// partition beneath already has what a replica needs: replicated
// partitions whose high watermark only the replication layer moves
// (partition.Options.Replicated, SetHighWatermark, AwaitCommit), and the
// follower's appends and truncations.
//
// # Leader election
//
// ElectLeader and FenceNode are pure functions of a state and the set of
// live nodes, so that every controller (the in-memory one of the tests,
// one on etcd) elects the same way: the first live in-sync replica in the
// assignment's order; with none, the first live eligible leader replica
// (KIP-966), which holds every record committed while the ISR was below
// its minimum; with none, and only when asked for, the live replica
// whose log is longest (an unclean election, which may lose committed
// records and says so in PartitionState.Unclean); otherwise no leader,
// and the partition is unavailable rather than lossy.
package replication
