//go:build linux

package topic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
)

// descriptorsUnder counts the descriptors this process holds on files
// under dir.
func descriptorsUnder(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) && !strings.HasSuffix(target, ".tmp") {
			n++
		}
	}
	return n
}

// TestIdlePartitionHoldsOneDescriptor opens a registry of 20 partitions
// that hold records: the registry's lock covers them all, so each holds
// its log file and nothing else.
func TestIdlePartitionHoldsOneDescriptor(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, Options{RetentionCheckInterval: -1})
	require.NoError(t, err)
	tp, err := r.Create(t.Context(), "idle", Config{Partitions: 20})
	require.NoError(t, err)
	for i := range 20 {
		p, err := tp.Partition(int32(i))
		require.NoError(t, err)
		_, err = p.AppendRecords(record.Record{Value: []byte("v")})
		require.NoError(t, err)
	}
	require.NoError(t, r.Close())
	require.Zero(t, descriptorsUnder(t, dir))

	r, err = Open(dir, Options{RetentionCheckInterval: -1})
	require.NoError(t, err)
	// The registry's lock and one log file per partition.
	require.Equal(t, 1+20, descriptorsUnder(t, dir))
	require.NoError(t, r.Close())
	require.Zero(t, descriptorsUnder(t, dir))
}
