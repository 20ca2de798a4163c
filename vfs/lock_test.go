package vfs

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// lockHelperEnv names the environment variable that turns
// TestLockHelperProcess into a child process holding a lock.
const lockHelperEnv = "VFS_TEST_LOCK_HELPER_PATH"

// TestLockHelperProcess is not a test of its own: run by TestLockOtherProcess
// as a child process, it locks the file named by lockHelperEnv, reports so
// on stdout, and holds the lock until killed or until its stdin closes.
func TestLockHelperProcess(t *testing.T) {
	name := os.Getenv(lockHelperEnv)
	if name == "" {
		t.Skip("only run as a child of TestLockOtherProcess")
	}
	l, err := Default.Lock(name)
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("locked\n")
	io.Copy(io.Discard, os.Stdin)
	l.Close()
	os.Exit(0)
}

func TestLockOtherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	name := filepath.Join(t.TempDir(), "LOCK")
	if l, err := Default.Lock(name); errors.Is(err, errors.ErrUnsupported) {
		t.Skip(err)
	} else {
		require.NoError(t, err)
		require.NoError(t, l.Close())
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+name)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)

	_, err = Default.Lock(name)
	require.ErrorIs(t, err, ErrLocked)
	require.Contains(t, err.Error(), name)
	// The failed attempt must not leave a claim behind in this process.
	_, err = Default.Lock(name)
	require.ErrorIs(t, err, ErrLocked)
	require.NotErrorIs(t, err, errLockedHere)

	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	killed = true

	l, err := Default.Lock(name)
	require.NoError(t, err, "the lock is free once its holder is gone")
	require.NoError(t, l.Close())
}

func TestLockInProcessError(t *testing.T) {
	name := filepath.Join(t.TempDir(), "LOCK")
	l, err := Default.Lock(name)
	require.NoError(t, err)
	defer l.Close()

	// A relative spelling of the same file is caught too.
	wd, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(wd, name)
	require.NoError(t, err)
	_, err = Default.Lock(rel)
	require.ErrorIs(t, err, ErrLocked)
	require.ErrorIs(t, err, errLockedHere)
	require.Contains(t, err.Error(), "in this process")
}
