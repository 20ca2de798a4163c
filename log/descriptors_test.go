//go:build linux

package log

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// openUnder lists the names of the files under dir this process holds
// open, leaving out checkpoint files a background write may hold for a
// moment.
func openUnder(t *testing.T, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	var names []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) && !strings.HasSuffix(target, ".tmp") {
			names = append(names, filepath.Base(target))
		}
	}
	return names
}

// TestDescriptorsPerSegment checks what a log holds open: its directory
// lock and each segment's log file, and no index file, whether the
// segment is sealed or active.
func TestDescriptorsPerSegment(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	l, err := Open(dir, Options{RetentionCheckInterval: -1})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{".lock", "00000000000000000000.log"}, openUnder(t, dir))
	for i := range int64(3) {
		appendN(t, l, i*10, 10, 5)
		require.NoError(t, l.Roll())
	}
	all := []string{".lock", "00000000000000000000.log", "00000000000000000010.log", "00000000000000000020.log", "00000000000000000030.log"}
	require.ElementsMatch(t, all, openUnder(t, dir))
	require.NoError(t, l.Close())
	require.Empty(t, openUnder(t, dir))

	l, err = Open(dir, Options{RetentionCheckInterval: -1})
	require.NoError(t, err)
	require.ElementsMatch(t, all, openUnder(t, dir), "reopened")
	appendN(t, l, 30, 10, 5)
	require.NoError(t, l.Sync(t.Context()))
	require.ElementsMatch(t, all, openUnder(t, dir), "after appends and a sync")
	require.NoError(t, l.Close())
	require.Empty(t, openUnder(t, dir))
}

// TestNoLockHoldsOnlyTheLogFiles opens a log with NoLock: it takes no
// directory lock, so it holds one descriptor per segment and nothing else.
func TestNoLockHoldsOnlyTheLogFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	l, err := Open(dir, Options{RetentionCheckInterval: -1, NoLock: true})
	require.NoError(t, err)
	appendN(t, l, 0, 10, 5)
	require.ElementsMatch(t, []string{"00000000000000000000.log"}, openUnder(t, dir))
	require.NoFileExists(t, filepath.Join(dir, lockFileName))
	require.NoError(t, l.Close())
	require.Empty(t, openUnder(t, dir))

	// Without NoLock, the same directory is locked as before.
	l, err = Open(dir, Options{RetentionCheckInterval: -1})
	require.NoError(t, err)
	_, err = Open(dir, Options{RetentionCheckInterval: -1})
	require.ErrorIs(t, err, ErrLocked)
	require.NoError(t, l.Close())
}
