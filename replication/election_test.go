package replication

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func liveSet(ids ...ReplicaID) map[ReplicaID]Incarnation {
	m := make(map[ReplicaID]Incarnation, len(ids))
	for _, id := range ids {
		m[id] = 1
	}
	return m
}

func state3() PartitionState {
	return PartitionState{Topic: "t", Leader: 0, LeaderEpoch: 5, PartitionEpoch: 10,
		Replicas: []ReplicaID{0, 1, 2}, ISR: []ReplicaID{0, 1, 2}, MinISR: 2}
}

func TestElectLeaderKeepsALiveInSyncLeader(t *testing.T) {
	s := state3()
	out := ElectLeader(s, liveSet(0, 1, 2), false, nil)
	require.Equal(t, s, out)
}

func TestElectLeaderPrefersTheAssignmentOrderWithinTheISR(t *testing.T) {
	s := state3()
	s.ISR = []ReplicaID{2, 1, 0}
	out := ElectLeader(s, liveSet(1, 2), false, nil)
	require.Equal(t, ReplicaID(1), out.Leader, "the first live ISR member in the assignment's order")
	require.Equal(t, int32(6), out.LeaderEpoch)
	require.Equal(t, int64(11), out.PartitionEpoch)
	require.Equal(t, []ReplicaID{2, 1}, out.ISR, "dead members leave the ISR")
	require.False(t, out.Unclean)
	require.Equal(t, []ReplicaID{2, 1, 0}, s.ISR, "the input is not changed")
}

// TestLastReplicaStandingCannotLoseCommittedRecords is KIP-966's scenario:
// ISR {0,1,2}, min ISR 2. Replicas 0 and 1 drop out one after the other;
// 2 leads alone, its high watermark frozen, then crashes uncleanly and
// loses its unflushed tail. Under the classic rule 2 would be re-elected
// as the only ISR member and the others would truncate to it. With the
// ELR, 1 (which left cleanly while the ISR was below its minimum) leads,
// and 2, unclean, is eligible for nothing.
func TestLastReplicaStandingCannotLoseCommittedRecords(t *testing.T) {
	s := state3()
	s = FenceNode(s, 0, true, liveSet(1, 2))
	require.Equal(t, ReplicaID(1), s.Leader)
	require.Equal(t, []ReplicaID{1, 2}, s.ISR)
	require.Empty(t, s.ELR, "the ISR is still at its minimum")

	s = FenceNode(s, 1, true, liveSet(2))
	require.Equal(t, ReplicaID(2), s.Leader)
	require.Equal(t, []ReplicaID{2}, s.ISR)
	require.Equal(t, []ReplicaID{1}, s.ELR, "1 left while the ISR fell below its minimum")

	// 2 crashes uncleanly; 1 comes back.
	s = FenceNode(s, 2, false, liveSet(1))
	require.Equal(t, ReplicaID(1), s.Leader, "the leader comes from the ELR")
	require.False(t, s.Unclean)
	require.Equal(t, []ReplicaID{1}, s.ISR)
	require.NotContains(t, s.ELR, ReplicaID(2), "an unclean node is eligible for nothing")
}

func TestElectLeaderWithNoEligibleReplica(t *testing.T) {
	s := state3()
	s.Leader, s.ISR = 0, []ReplicaID{0}
	before := s.LeaderEpoch
	out := FenceNode(s, 0, false, liveSet(1, 2))
	require.Equal(t, NoLeader, out.Leader, "unavailable rather than lossy")
	require.Equal(t, before+1, out.LeaderEpoch, "the old leader's epoch is over")
	require.Empty(t, out.ISR)

	// Only when asked for: the live replica with the longest log.
	unclean := ElectLeader(out, liveSet(1, 2), true, map[ReplicaID]int64{1: 40, 2: 70})
	require.Equal(t, ReplicaID(2), unclean.Leader)
	require.True(t, unclean.Unclean)
	require.Equal(t, []ReplicaID{2}, unclean.ISR)
	require.Equal(t, out.LeaderEpoch+1, unclean.LeaderEpoch)
	require.Greater(t, unclean.PartitionEpoch, out.PartitionEpoch)
}

func TestFenceNodeOfAFollower(t *testing.T) {
	s := state3()
	out := FenceNode(s, 2, true, liveSet(0, 1))
	require.Equal(t, ReplicaID(0), out.Leader)
	require.Equal(t, s.LeaderEpoch, out.LeaderEpoch, "the leader did not change")
	require.Equal(t, s.PartitionEpoch+1, out.PartitionEpoch)
	require.Equal(t, []ReplicaID{0, 1}, out.ISR)
	require.Empty(t, out.ELR)
	// Fencing it again changes nothing.
	again := FenceNode(out, 2, true, liveSet(0, 1))
	require.Equal(t, out, again)
}

func TestCodesRoundTrip(t *testing.T) {
	for _, c := range codes {
		require.Equal(t, c.code, CodeOf(c.err))
		require.Equal(t, c.err, c.code.Err())
		wrapped := &Error{Topic: "t", Op: "fetch", Err: c.err}
		require.Equal(t, c.code, CodeOf(wrapped), "codes see through wrapping")
	}
	require.Equal(t, CodeNone, CodeOf(nil))
	require.NoError(t, CodeNone.Err())
	require.Equal(t, CodeUnknown, CodeOf(ErrTransport), "a local error has no code of its own")
	require.ErrorIs(t, Code(999).Err(), ErrUnknown)
	require.Equal(t, Code(75), CodeOf(ErrUnknownLeaderEpoch), "Kafka's UNKNOWN_LEADER_EPOCH")
}

func TestEffectiveMinISR(t *testing.T) {
	s := PartitionState{Replicas: []ReplicaID{0, 1}, MinISR: 3}
	require.Equal(t, 2, s.EffectiveMinISR())
	s.MinISR = 0
	require.Equal(t, 1, s.EffectiveMinISR())
}
