package group

import (
	"errors"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
)

var (
	// ErrRebalanced means a group member's commit was refused whole,
	// nothing of it committed, because the member is no longer in the
	// group or does not hold a partition it named: its session lapsed
	// (it stayed away from Poll for longer than SessionTimeout) and the
	// group may have given its partitions to other members. It is the
	// counterpart of Kafka's ILLEGAL_GENERATION and
	// REBALANCE_IN_PROGRESS errors. An expired member's next Poll joins
	// the group again. A member that stayed in the group but lost a
	// partition while away from Poll (past its RebalanceTimeout) gets it
	// too for commits that name the partition, until its next Poll drops
	// it.
	ErrRebalanced = errors.New("group: rebalanced: partition no longer held by this member")
	// ErrGroupTopics means a member joined a group whose members
	// subscribe to other topics: every member of a group must subscribe
	// to the same ones.
	ErrGroupTopics = errors.New("group: members must subscribe to the same topics")
	// ErrInvalidGroup is offsets.ErrInvalidGroup: an empty group name, or
	// one longer than 32,767 bytes.
	ErrInvalidGroup = offsets.ErrInvalidGroup
	// ErrUnknownGroup means Describe named a group that has neither
	// members in this process nor committed offsets.
	ErrUnknownGroup = errors.New("group: unknown consumer group")
	// ErrInCallback means a rebalance callback (MemberOptions.OnAssigned,
	// OnRevoked, OnLost) called its member's Poll, PollBatch or Close,
	// which cannot run inside one.
	ErrInCallback = errors.New("group: member called from its own rebalance callback")
	// ErrInvalidConfig is topic.ErrInvalidConfig: an option or argument
	// out of range.
	ErrInvalidConfig = topic.ErrInvalidConfig
	// ErrClosed is returned by a closed member or coordinator. It is
	// topic.ErrClosed (and log.ErrClosed), so one errors.Is test covers
	// every layer.
	ErrClosed = topic.ErrClosed
	// ErrReadOnly is returned by Join, Commit and DeleteGroup on the
	// coordinator of a registry opened read-only. It is topic.ErrReadOnly
	// (and log.ErrReadOnly, offsets.ErrReadOnly).
	ErrReadOnly = topic.ErrReadOnly
)
