package topic

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commitlog-go/commitlog/vfs"
	"github.com/stretchr/testify/require"
)

// FuzzMetadata parses arbitrary topic metadata files: never a panic, and
// whatever is accepted describes a valid topic that writes back, as the
// current version (with an ID if it had none), to a file that parses to
// the same.
func FuzzMetadata(f *testing.F) {
	good, err := json.Marshal(newMetadata("t", stateReady, newID(), Config{Partitions: 3}.withDefaults()))
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"version":1,"name":"t","state":"deleting","partitions":1}`))
	// The files of version 1, before IDs, renamed for the target.
	for _, file := range []string{"orders-v1.topic", "orders-v1-first.topic"} {
		old, err := os.ReadFile(filepath.Join("testdata", file))
		require.NoError(f, err)
		f.Add(bytes.Replace(old, []byte(`"name": "orders"`), []byte(`"name": "t"`), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, cfg, err := parseMetadata(data, "t")
		if err != nil {
			return
		}
		require.NoError(t, cfg.validate())
		require.Equal(t, m.Version == metadataVersionNoID, m.ID.IsZero(), "an ID exactly from version 2 on")
		id := m.ID
		if id.IsZero() {
			id = newID()
		}
		again, err := json.Marshal(newMetadata("t", m.State, id, cfg))
		require.NoError(t, err)
		m2, cfg2, err := parseMetadata(again, "t")
		require.NoError(t, err)
		require.Equal(t, m.State, m2.State)
		require.Equal(t, id, m2.ID)
		require.Equal(t, cfg, cfg2)
	})
}

// FuzzTopicName checks ValidateName against the rules written out again,
// and checks that a registry given any name either creates a topic whose
// files stay inside its directory, or refuses it with ErrInvalidName and
// writes nothing.
func FuzzTopicName(f *testing.F) {
	for _, name := range []string{"orders", "../x", "a/b", ".", "..", "", "a..b", "-_.", "x\x00y", "é", strings.Repeat("n", 250)} {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		valid := name != "" && name != "." && name != ".." && len(name) <= MaxNameLength &&
			strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
		err := ValidateName(name)
		if !valid {
			var nameErr *NameError
			require.ErrorAs(t, err, &nameErr)
			require.ErrorIs(t, err, ErrInvalidName)
			require.Equal(t, name, nameErr.Name)
		} else {
			require.NoError(t, err)
			require.Equal(t, "/r", filepath.Dir(filepath.Join("/r", name+"-0")))
		}

		m := vfs.NewMem()
		r, err := Open("/r", Options{FS: m, RetentionCheckInterval: -1})
		require.NoError(t, err)
		defer r.Close()
		before := m.String()
		_, err = r.Create(t.Context(), name, Config{Partitions: 1, SegmentIndexBytes: 4096})
		if !valid {
			require.ErrorIs(t, err, ErrInvalidName)
			require.Equal(t, before, m.String(), "a refused name changes nothing on disk")
			return
		}
		require.NoError(t, err)
		entries, err := m.List("/r")
		require.NoError(t, err)
		require.Contains(t, entries, name+".topic")
		require.Contains(t, entries, name+"-0")
	})
}
