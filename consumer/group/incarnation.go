package group

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"sync"

	"github.com/commitlog-go/commitlog/offsets"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

// Committed offsets are keyed by topic name, as in Kafka's
// __consumer_offsets. A topic deleted while no coordinator is open keeps
// its offsets until one opens and forgets them; one deleted and created
// again under the same name in that time would pass them on to the new
// topic, whose offsets mean other records. So the coordinator remembers,
// beside the offsets, the ID (topic.ID) of the incarnation of each topic
// whose offsets it keeps, and Open forgets the offsets of a topic whose
// ID has changed since.
//
// The file holds JSON, replaced atomically:
//
//	{"version":1,"topics":{"orders":"vT9ooMrQQS6CsvbhO2u3Ag", ...}}
const (
	incarnationsFile    = "topic-ids"
	incarnationsVersion = 1
	// maxIncarnationsBytes bounds the file read: a topic's entry is under
	// 300 bytes, so this allows tens of thousands.
	maxIncarnationsBytes = 16 << 20
)

type incarnationsJSON struct {
	Version int                 `json:"version"`
	Topics  map[string]topic.ID `json:"topics"`
}

// incarnations is the remembered ID of each topic with committed offsets.
type incarnations struct {
	fsys vfs.FS
	path string

	// mu serialises the file's replacements; ids is read under it.
	mu  sync.Mutex
	ids map[string]topic.ID
}

// loadIncarnations reads the file in dir. A missing file (offsets written
// before topics had IDs, or none at all) remembers nothing; one that does
// not parse is an error wrapping offsets.ErrBadOffsets, and nothing is
// forgotten on its account.
func loadIncarnations(fsys vfs.FS, dir string) (*incarnations, error) {
	in := &incarnations{fsys: fsys, path: filepath.Join(dir, incarnationsFile), ids: map[string]topic.ID{}}
	data, err := vfs.ReadFile(fsys, in.path, maxIncarnationsBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return in, nil
	}
	if err != nil {
		return nil, fmt.Errorf("group: reading %s: %w", in.path, err)
	}
	var f incarnationsJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", offsets.ErrBadOffsets, in.path, err)
	}
	if f.Version != incarnationsVersion {
		return nil, fmt.Errorf("%w: %s: version %d, want %d", offsets.ErrBadOffsets, in.path, f.Version, incarnationsVersion)
	}
	for name, id := range f.Topics {
		if !id.IsZero() {
			in.ids[name] = id
		}
	}
	return in, nil
}

// stale returns the topics whose remembered ID is not that of the topic
// of the same name in reg: another incarnation's.
func (in *incarnations) stale(reg *topic.Registry) []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var names []string
	for name, id := range in.ids {
		if t, err := reg.Topic(name); err == nil && !t.ID().IsZero() && t.ID() != id {
			names = append(names, name)
		}
	}
	return names
}

// reset remembers exactly the IDs the topics of reg have now, for the
// topics named, and saves them if that changes anything.
func (in *incarnations) reset(reg *topic.Registry, names []string) error {
	ids := map[string]topic.ID{}
	for _, name := range names {
		if t, err := reg.Topic(name); err == nil && !t.ID().IsZero() {
			ids[name] = t.ID()
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if maps.Equal(ids, in.ids) {
		return nil
	}
	return in.saveLocked(ids)
}

// record remembers the current incarnation of each topic commits name,
// saving the file first if one is new, so that no offset reaches the
// store for an incarnation the file does not name. The common case, every
// topic known, costs a map lookup each.
func (in *incarnations) record(reg *topic.Registry, commits []offsets.Commit) error {
	if in == nil {
		return nil // read-only: nothing is committed
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	var next map[string]topic.ID
	for _, c := range commits {
		t, err := reg.Topic(c.Topic)
		if err != nil || t.ID().IsZero() || in.ids[c.Topic] == t.ID() {
			continue // a commit to an unknown topic is refused elsewhere
		}
		if next == nil {
			next = maps.Clone(in.ids)
		}
		next[c.Topic] = t.ID()
	}
	if next == nil {
		return nil
	}
	return in.saveLocked(next)
}

func (in *incarnations) saveLocked(ids map[string]topic.ID) error {
	data, err := json.Marshal(incarnationsJSON{Version: incarnationsVersion, Topics: ids})
	if err != nil {
		return err
	}
	if err := vfs.WriteFileAtomic(in.fsys, in.path, data); err != nil {
		return fmt.Errorf("group: saving %s: %w", in.path, err)
	}
	in.ids = ids
	return nil
}
