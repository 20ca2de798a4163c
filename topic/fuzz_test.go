package topic

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzOffsetRecord decodes arbitrary keys and values of the offsets log:
// never a panic, and whatever decodes encodes back to the same bytes.
func FuzzOffsetRecord(f *testing.F) {
	f.Add(appendOffsetKey(nil, offsetKey{group: "g", topic: "t", partition: 3}),
		appendOffsetValue(nil, CommittedOffset{Offset: 42, Metadata: "m", Time: time.UnixMilli(1_700_000_000_000)}))
	f.Add([]byte{0, 1, 0xff, 0xff}, []byte{0, 3})
	f.Fuzz(func(t *testing.T, key, value []byte) {
		if k, err := parseOffsetKey(key); err == nil {
			require.Equal(t, key, appendOffsetKey(nil, k))
		} else {
			require.ErrorIs(t, err, errBadOffsetRecord)
		}
		offset, metadata, ms, err := parseOffsetValue(value)
		if err != nil {
			require.ErrorIs(t, err, errBadOffsetRecord)
			return
		}
		require.GreaterOrEqual(t, offset, int64(0))
		back := appendOffsetValue(nil, CommittedOffset{Offset: offset, Metadata: metadata, Time: time.UnixMilli(ms)})
		require.Equal(t, len(value), len(back))
		require.Equal(t, value[:10], back[:10], "version and offset")
	})
}

// FuzzMetadata parses arbitrary topic metadata files: never a panic, and
// whatever is accepted describes a valid topic that writes back to a file
// that parses to the same.
func FuzzMetadata(f *testing.F) {
	good, err := json.Marshal(newMetadata("t", stateReady, Config{Partitions: 3}.withDefaults()))
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"version":1,"name":"t","state":"deleting","partitions":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, cfg, err := parseMetadata(data, "t")
		if err != nil {
			return
		}
		require.NoError(t, cfg.validate())
		again, err := json.Marshal(newMetadata("t", m.State, cfg))
		require.NoError(t, err)
		m2, cfg2, err := parseMetadata(again, "t")
		require.NoError(t, err)
		require.Equal(t, m.State, m2.State)
		require.Equal(t, cfg, cfg2)
	})
}
