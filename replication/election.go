package replication

import "slices"

// ElectLeader is the election rule every Controller applies when s has no
// live leader. The new leader is, in the order of s.Replicas, the first
// live replica in s.ISR; else the first live replica in s.ELR; else, if
// unclean is set, the live replica with the largest log end in logEnds
// (Unclean is then set); else NoLeader. live maps each live node to its
// incarnation; logEnds may be nil when unclean is not set.
//
// The result keeps only live replicas in the ISR, holds the leader in it
// (an ELR or unclean leader starts an ISR of its own), clears the ELR once
// the ISR reaches its minimum again, raises LeaderEpoch when the leader
// changes and PartitionEpoch whenever anything does. A state whose leader
// is live and in the ISR is returned as it is.
func ElectLeader(s PartitionState, live map[ReplicaID]Incarnation, unclean bool, logEnds map[ReplicaID]int64) PartitionState {
	s = s.Clone()
	isLive := func(id ReplicaID) bool { _, ok := live[id]; return ok }
	if s.Leader != NoLeader && isLive(s.Leader) && contains(s.ISR, s.Leader) {
		return s
	}
	next, fromISR, fromELR := NoLeader, false, false
	for _, id := range s.Replicas {
		if isLive(id) && contains(s.ISR, id) {
			next, fromISR = id, true
			break
		}
	}
	if next == NoLeader {
		for _, id := range s.Replicas {
			if isLive(id) && contains(s.ELR, id) {
				next, fromELR = id, true
				break
			}
		}
	}
	wasUnclean := false
	if next == NoLeader && unclean {
		best := int64(-1)
		for _, id := range s.Replicas {
			if end, ok := logEnds[id]; ok && isLive(id) && end > best {
				next, best = id, end
			}
		}
		wasUnclean = next != NoLeader
	}

	before := s.Clone()
	s.ISR = slices.DeleteFunc(s.ISR, func(id ReplicaID) bool { return !isLive(id) })
	switch {
	case fromISR:
	case fromELR:
		s.ISR = []ReplicaID{next}
		s.ELR = slices.DeleteFunc(s.ELR, func(id ReplicaID) bool { return id == next })
	case wasUnclean:
		// Every other replica's records past the new leader's end are
		// lost: no one else is known to be in sync, and no one eligible.
		s.ISR, s.ELR = []ReplicaID{next}, nil
	default:
		// No leader: the ISR keeps its live members (none of them, here)
		// and the ELR waits for one of its own to come back.
		s.ISR = nil
	}
	if len(s.ISR) >= s.EffectiveMinISR() {
		s.ELR = nil
	}
	if next != s.Leader {
		s.Leader = next
		s.LeaderEpoch++
		s.Unclean = wasUnclean
	}
	if !sameState(before, s) {
		s.PartitionEpoch++
	}
	return s
}

// FenceNode is what a Controller does when node's session ends, or when
// it registers again with a new incarnation (its page cache, and so what
// it last reported, may be gone): the node leaves the ISR; if that leaves
// the ISR below its minimum and the node shut down cleanly (or is
// durable), it joins the ELR, since it holds every record committed so
// far; an unclean node leaves the ELR too. If it led, a new leader is
// elected (ElectLeader, never unclean). live is the set of live nodes
// after the change.
func FenceNode(s PartitionState, node ReplicaID, clean bool, live map[ReplicaID]Incarnation) PartitionState {
	s = s.Clone()
	before := s.Clone()
	if contains(s.ISR, node) {
		s.ISR = slices.DeleteFunc(s.ISR, func(id ReplicaID) bool { return id == node })
		if clean && len(s.ISR) < s.EffectiveMinISR() && !contains(s.ELR, node) {
			s.ELR = append(s.ELR, node)
		}
	}
	if !clean {
		s.ELR = slices.DeleteFunc(s.ELR, func(id ReplicaID) bool { return id == node })
	}
	if s.Leader == node {
		s.Leader = NoLeader
	}
	changed := !sameState(before, s)
	out := ElectLeader(s, live, false, nil)
	if out.Leader != before.Leader && out.LeaderEpoch == before.LeaderEpoch {
		// The leader was cleared here and none could be elected:
		// ElectLeader saw no change of leader, but there was one.
		out.LeaderEpoch++
	}
	if changed && out.PartitionEpoch == before.PartitionEpoch {
		out.PartitionEpoch++
	}
	return out
}

// sameState reports whether a and b decide the same: leader, epochs,
// members and flags.
func sameState(a, b PartitionState) bool {
	return a.Leader == b.Leader && a.LeaderEpoch == b.LeaderEpoch && a.Unclean == b.Unclean &&
		slices.Equal(a.ISR, b.ISR) && slices.Equal(a.ELR, b.ELR) && slices.Equal(a.Replicas, b.Replicas) &&
		a.MinISR == b.MinISR
}
