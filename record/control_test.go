package record

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestControlKey(t *testing.T) {
	for typ := ControlAbort; typ <= ControlKRaftVoters; typ++ {
		got, err := ParseControlKey(AppendControlKey(nil, typ))
		require.NoError(t, err)
		require.Equal(t, typ, got)
	}
	require.Equal(t, "COMMIT", ControlCommit.String())

	got, err := ParseControlKey([]byte{0, 0, 0, 99})
	require.NoError(t, err)
	require.Equal(t, ControlUnknown, got)
	require.Equal(t, "UNKNOWN(-1)", got.String())

	got, err = ParseControlKey([]byte{0, 1, 0, 1, 0xaa})
	require.NoError(t, err, "a newer version with more fields still names its type")
	require.Equal(t, ControlCommit, got)

	_, err = ParseControlKey([]byte{0, 0, 1})
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = ParseControlKey([]byte{0xff, 0xff, 0, 1})
	require.ErrorIs(t, err, ErrCorrupt)
}
