package log

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// symlinkOpts makes a log of several segments, each with index entries.
var symlinkOpts = Options{SegmentBytes: 2000, IndexIntervalBytes: 100}

// symlinkRecords is how many records closedSymlinkLog writes: four full
// segments and an active one with room left for appends.
const symlinkRecords = 270

// closedSymlinkLog writes symlinkRecords records to a new log, closes it,
// and returns its directory and the base offsets of its segments.
func closedSymlinkLog(t *testing.T) (string, []int64) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p-0")
	l := mustOpen(t, dir, symlinkOpts)
	require.NoError(t, l.SetLeaderEpoch(3))
	appendN(t, l, 0, symlinkRecords, 10)
	require.NoError(t, l.Close())
	names, err := os.ReadDir(dir)
	require.NoError(t, err)
	var bases []int64
	for _, e := range names {
		if base, ext, ok := segment.ParseFileName(e.Name()); ok && ext == segment.LogExt {
			bases = append(bases, base)
		}
	}
	slices.Sort(bases)
	require.GreaterOrEqual(t, len(bases), 3, "the log has sealed segments")
	return dir, bases
}

// linkOutside moves the file at name to a directory outside the log's and
// puts a symbolic link to it in its place, skipping the test where the
// host cannot create links (Windows without Developer Mode or elevation).
// It returns the target's name and contents.
func linkOutside(t *testing.T, name string) (string, []byte) {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	target := filepath.Join(t.TempDir(), filepath.Base(name))
	require.NoError(t, os.WriteFile(target, data, 0o644))
	require.NoError(t, os.Remove(name))
	if err := os.Symlink(target, name); err != nil {
		// Put the file back so that nothing depends on the skip.
		require.NoError(t, os.Rename(target, name))
		t.Skipf("cannot create a symbolic link on %s: %v", runtime.GOOS, err)
	}
	return target, data
}

// requireTargetUnchanged checks that the file at target still holds want,
// byte for byte and at the same size.
func requireTargetUnchanged(t *testing.T, target string, want []byte) {
	t.Helper()
	info, err := os.Stat(target)
	require.NoError(t, err)
	require.Equal(t, int64(len(want)), info.Size(), "the link's target changed size")
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "the link's target was written through")
}

// removeCleanMarker makes the next Open recover the log.
func removeCleanMarker(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.Remove(filepath.Join(dir, cleanShutdownMarker)))
}

func TestSymlinkActiveSegment(t *testing.T) {
	dir, bases := closedSymlinkLog(t)
	active := bases[len(bases)-1]
	target, data := linkOutside(t, segment.Path(dir, active, segment.LogExt))
	removeCleanMarker(t, dir)

	l, err := Open(dir, symlinkOpts)
	if err == nil {
		// An append through the link would extend the target: the
		// active segment has room for these records.
		require.Equal(t, len(bases), l.NumSegments())
		appendN(t, l, symlinkRecords, 10, 10)
		require.Equal(t, len(bases), l.NumSegments(), "the appends rolled no segment")
		require.NoError(t, l.Close())
	}
	requireTargetUnchanged(t, target, data)
	require.ErrorIs(t, err, vfs.ErrSymlink)
	require.Contains(t, err.Error(), segment.FileName(active, segment.LogExt))
}

func TestSymlinkSealedIndex(t *testing.T) {
	dir, bases := closedSymlinkLog(t)
	// The first segment is sealed and below the recovery point: recovery
	// leaves it alone, and its index is opened by the first read.
	target, data := linkOutside(t, segment.Path(dir, bases[0], segment.IndexExt))
	require.NotEmpty(t, data, "the sealed index has entries")
	removeCleanMarker(t, dir)

	l, err := Open(dir, symlinkOpts)
	if err == nil {
		// Read from the middle of the first segment, so that the read
		// looks the offset up in the index.
		r := l.NewReader((bases[0] + bases[1]) / 2)
		for r.Next() {
		}
		err = r.Err()
		require.NoError(t, l.Close())
	}
	requireTargetUnchanged(t, target, data)
	require.ErrorIs(t, err, vfs.ErrSymlink)
	require.Contains(t, err.Error(), segment.FileName(bases[0], segment.IndexExt))
}

func TestSymlinkCheckpoint(t *testing.T) {
	for _, name := range []string{recoveryPointFile, epochCheckpointName} {
		t.Run(name, func(t *testing.T) {
			dir, _ := closedSymlinkLog(t)
			target, data := linkOutside(t, filepath.Join(dir, name))
			require.NotEmpty(t, data)
			removeCleanMarker(t, dir)

			l, err := Open(dir, symlinkOpts)
			if err == nil {
				// Give the log every reason to rewrite the checkpoints
				// before looking at the target.
				appendN(t, l, symlinkRecords, 10, 10)
				require.NoError(t, l.SetLeaderEpoch(4))
				require.NoError(t, l.Sync(t.Context()))
				require.NoError(t, l.Close())
			}
			requireTargetUnchanged(t, target, data)
			require.ErrorIs(t, err, vfs.ErrSymlink, "Open read the symlinked %s as absent", name)
		})
	}
}

// TestSymlinkLogStartAndLock links the log-start checkpoint, and in
// turn the lock file, outside the directory: Open refuses each with
// ErrSymlink, says which file, and does not call the directory locked.
func TestSymlinkLogStartAndLock(t *testing.T) {
	dir, _ := closedSymlinkLog(t)
	l := mustOpen(t, dir, symlinkOpts)
	_, err := l.DeleteRecordsBefore(25)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	for _, name := range []string{logStartFile, lockFileName} {
		target, data := linkOutside(t, filepath.Join(dir, name))
		_, err := Open(dir, symlinkOpts)
		require.ErrorIs(t, err, vfs.ErrSymlink, name)
		require.NotErrorIs(t, err, ErrLocked)
		require.ErrorContains(t, err, name)
		require.NotContains(t, err.Error(), "open elsewhere")
		requireTargetUnchanged(t, target, data)
		require.NoError(t, os.Remove(filepath.Join(dir, name)))
		require.NoError(t, os.Rename(target, filepath.Join(dir, name)))
	}
	l = mustOpen(t, dir, symlinkOpts)
	require.Equal(t, int64(25), l.LogStartOffset())
}
