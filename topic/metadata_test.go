package topic

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// TestMetadataTrailingData checks that Open refuses a metadata file with
// anything but white space after its JSON value, naming the file, and
// opens one that ends in white space, as the writer's own newline does.
func TestMetadataTrailingData(t *testing.T) {
	good, err := json.Marshal(newMetadata("t", stateReady, newID(), Config{Partitions: 1}.withDefaults()))
	require.NoError(t, err)
	write := func(t *testing.T, content string) *vfs.MemFS {
		t.Helper()
		m := vfs.NewMem()
		r, err := Open("/data", Options{FS: m})
		require.NoError(t, err)
		_, err = r.Create(t.Context(), "t", Config{})
		require.NoError(t, err)
		require.NoError(t, r.Close())
		require.NoError(t, vfs.WriteFileAtomic(m, "/data/t.topic", []byte(content)))
		return m
	}
	path := filepath.Join("/data", "t.topic")

	for name, content := range map[string]string{
		"garbage":         string(good) + "garbage",
		"two objects":     string(good) + string(good),
		"newline, object": string(good) + "\n" + string(good) + "\n",
		"a number":        string(good) + " 1",
	} {
		t.Run(name, func(t *testing.T) {
			m := write(t, content)
			_, err := Open("/data", Options{FS: m})
			var me *MetadataError
			require.ErrorAs(t, err, &me)
			require.ErrorIs(t, err, ErrBadMetadata)
			require.Equal(t, path, me.Path)
			require.Contains(t, err.Error(), path)
		})
	}

	for name, content := range map[string]string{
		"newline":     string(good) + "\n",
		"white space": string(good) + " \r\n\t\n",
	} {
		t.Run(name, func(t *testing.T) {
			m := write(t, content)
			r, err := Open("/data", Options{FS: m})
			require.NoError(t, err)
			defer r.Close()
			tp, err := r.Topic("t")
			require.NoError(t, err)
			require.Equal(t, int32(1), tp.NumPartitions())
		})
	}
}

// TestSegmentJitterIsStored creates a topic with Kafka's segment.jitter.ms
// and reopens it: the setting is kept, under its Kafka name, and a
// negative one is refused.
func TestSegmentJitterIsStored(t *testing.T) {
	m := vfs.NewMem()
	r, err := Open("/data", Options{FS: m})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "t", Config{SegmentJitter: 5 * time.Minute})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "bad", Config{SegmentJitter: -time.Second})
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.NoError(t, r.Close())
	data, err := vfs.ReadFile(m, "/data/t.topic", 1<<20)
	require.NoError(t, err)
	require.Contains(t, string(data), `"segment.jitter.ms": 300000`)

	r, err = Open("/data", Options{FS: m})
	require.NoError(t, err)
	defer r.Close()
	tp, err := r.Topic("t")
	require.NoError(t, err)
	require.Equal(t, 5*time.Minute, tp.Config().SegmentJitter)
}
