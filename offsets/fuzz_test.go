package offsets

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzRecord decodes arbitrary keys and values of the offsets log: never
// a panic, and whatever decodes encodes back to the same bytes.
func FuzzRecord(f *testing.F) {
	f.Add(appendKey(nil, key{group: "g", topic: "t", partition: 3}),
		appendValue(nil, Committed{Offset: 42, Metadata: "m", Time: time.UnixMilli(1_700_000_000_000)}))
	f.Add([]byte{0, 1, 0xff, 0xff}, []byte{0, 3})
	f.Fuzz(func(t *testing.T, k, value []byte) {
		if parsed, err := parseKey(k); err == nil {
			require.Equal(t, k, appendKey(nil, parsed))
		} else {
			require.ErrorIs(t, err, errBadRecord)
		}
		offset, metadata, ms, err := parseValue(value)
		if err != nil {
			require.ErrorIs(t, err, errBadRecord)
			return
		}
		require.GreaterOrEqual(t, offset, int64(0))
		back := appendValue(nil, Committed{Offset: offset, Metadata: metadata, Time: time.UnixMilli(ms)})
		require.Equal(t, len(value), len(back))
		require.Equal(t, value[:10], back[:10], "version and offset")
	})
}
