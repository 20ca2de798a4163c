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

// registryMode is how a command opens the registry.
type registryMode int

const (
	// readOnly takes no lock and writes nothing: the command works while
	// another process has the registry open.
	readOnly registryMode = iota
	// readWrite locks the registry, which must exist.
	readWrite
	// createRegistry locks the registry, making its directory if needed.
	createRegistry
)

// openRegistry opens the registry in e.dir. Only create may make the
// directory: for every other command a missing directory is a mistyped
// -dir, not an empty registry.
func (e *env) openRegistry(mode registryMode) (*topic.Registry, error) {
	if mode != createRegistry {
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
	reg, err := topic.Open(e.dir, topic.Options{ReadOnly: mode == readOnly})
	if errors.Is(err, topic.ErrLocked) {
		return nil, fmt.Errorf("registry %s is in use by another process, and this command changes it; "+
			"one such process at a time may open it (topics list and describe, groups list and describe, consume without -group, dump and verify work meanwhile)", e.dir)
	}
	if err != nil {
		return nil, err
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
		return 0, fmt.Errorf("%w %d of %q (it has %d)", topic.ErrUnknownPartition, index, t.Name(), t.NumPartitions())
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
