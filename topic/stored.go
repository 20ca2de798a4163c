package topic

import (
	"fmt"
	"slices"

	"github.com/commitlog-go/commitlog/vfs"
)

// StoredTopic is a topic as the files in a registry's directory describe
// it, read by ListStored without opening the registry.
type StoredTopic struct {
	Name string
	// ID is the topic's ID; zero if its metadata was written before
	// topics had IDs (the next writable Open gives it one).
	ID ID
	// State is "ready"; or "creating" or "deleting" when a crash
	// interrupted Create or Delete, which the next Open rolls back or
	// finishes.
	State string
	// Config is the topic's configuration, its partition count included.
	Config Config
	// Dirs are the partitions' directories, in order.
	Dirs []string
	// Extra are partition directories past the partition count, left by
	// an interrupted AddPartitions; the next Open removes them.
	Extra []string
	// Err is set, and the fields above but Name are not, when the
	// metadata file cannot be read: a *MetadataError or an I/O error.
	Err error
}

// ListStored describes the topics in the registry directory root, sorted
// by name, from their metadata files. It takes no lock and changes
// nothing, so it can look at a registry another process has open, or at a
// copy of one; tools use it to inspect and verify.
func ListStored(fsys vfs.FS, root string) ([]StoredTopic, error) {
	names, err := fsys.List(root)
	if err != nil {
		return nil, fmt.Errorf("topic: listing %s: %w", root, err)
	}
	var out []StoredTopic
	for _, name := range topicNames(names) {
		st := StoredTopic{Name: name}
		m, cfg, err := readMetadata(fsys, root, name)
		if err != nil {
			st.Err = err
			out = append(out, st)
			continue
		}
		st.ID, st.State, st.Config = m.ID, m.State, cfg
		for i := range m.Partitions {
			st.Dirs = append(st.Dirs, partitionDir(root, name, int(i)))
		}
		for _, i := range partitionIndexes(name, names) {
			if int32(i) >= m.Partitions {
				st.Extra = append(st.Extra, partitionDir(root, name, i))
			}
		}
		slices.Sort(st.Extra)
		out = append(out, st)
	}
	return out, nil
}
