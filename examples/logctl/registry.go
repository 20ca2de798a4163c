package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"

	"github.com/commitlog-go/commitlog/consumer/group"
	"github.com/commitlog-go/commitlog/topic"
)

// openRegistry opens the registry in e.dir. Only create may make the
// directory: for every other command a missing directory is a mistyped
// -dir, not an empty registry.
func (e *env) openRegistry(create bool) (*topic.Registry, error) {
	if !create {
		fi, err := os.Stat(e.dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("no registry at %s: the directory does not exist (topics create makes it; -dir or $LOGCTL_DIR name another)", e.dir)
		case err != nil:
			return nil, fmt.Errorf("opening registry: %w", err)
		case !fi.IsDir():
			return nil, fmt.Errorf("no registry at %s: not a directory", e.dir)
		}
	}
	reg, err := topic.Open(e.dir, topic.Options{})
	if errors.Is(err, topic.ErrLocked) {
		return nil, fmt.Errorf("registry %s is in use by another process; one process at a time may open it (dump and verify work meanwhile): %w", e.dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("opening registry %s: %w", e.dir, err)
	}
	return reg, nil
}

// openGroups opens the consumer groups of reg, over the committed offsets
// kept in its directory. Closing reg closes them.
func openGroups(reg *topic.Registry) (*group.Coordinator, error) {
	groups, err := group.Open(reg, group.Options{})
	if err != nil {
		return nil, fmt.Errorf("opening the consumer groups of registry %s: %w", reg.Dir(), err)
	}
	return groups, nil
}

// partitionIndex returns index as a partition number of t. Partitions are
// numbered in 32 bits; a larger index names a partition t does not have,
// reported as t reports one.
func partitionIndex(t *topic.Topic, index int) (int32, error) {
	if index > math.MaxInt32 {
		return 0, fmt.Errorf("%w: %s has no partition %d (it has %d)", topic.ErrUnknownPartition, t.Name(), index, t.NumPartitions())
	}
	return int32(index), nil
}

// closeRegistry closes reg and joins its error to err, so that a failed
// close (a final fsync that fails) is not lost.
func closeRegistry(reg *topic.Registry, err *error) {
	if cerr := reg.Close(); cerr != nil {
		*err = errors.Join(*err, fmt.Errorf("closing registry: %w", cerr))
	}
}

// checkName refuses a topic name Kafka's rules refuse before anything
// touches the disk. It is a usage error: the argument is malformed.
func (c *cmdFlags) checkName(name string) error {
	if err := topic.ValidateName(name); err != nil {
		return c.usageErr("%w", err)
	}
	return nil
}

// parseName parses args, which must hold a topic name (or may, if
// optional), and returns the checked name, or "" when an optional one is
// absent.
func (c *cmdFlags) parseName(args []string, optional bool) (string, error) {
	minArgs := 1
	if optional {
		minArgs = 0
	}
	pos, err := c.parse(args, minArgs, 1)
	if err != nil || len(pos) == 0 {
		return "", err
	}
	if err := c.checkName(pos[0]); err != nil {
		return "", err
	}
	return pos[0], nil
}
