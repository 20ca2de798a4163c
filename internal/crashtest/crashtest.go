package crashtest

import (
	"bufio"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var iterations = flag.Int("crash.iterations", 30, "kill-and-reopen iterations of each crash test")

// Iterations returns the number of kills each crash test makes, set by the
// -crash.iterations flag (default 30).
func Iterations() int { return *iterations }

// Environment variables by which a parent tells its child what to do.
const (
	dirEnv = "COMMITLOG_CRASHTEST_DIR"
	runEnv = "COMMITLOG_CRASHTEST_RUN"
)

// ChildDir reports whether this process is a child started by Run, and
// the directory it is to write in.
func ChildDir() (dir string, ok bool) {
	dir = os.Getenv(dirEnv)
	return dir, dir != ""
}

// ChildRun returns the number of the iteration this child belongs to,
// counting from 0, so that a child can make values no earlier child made.
func ChildRun() int {
	n, _ := strconv.Atoi(os.Getenv(runEnv))
	return n
}

// Options describe a kill loop.
type Options struct {
	// Child is the name of the test function the child process runs.
	Child string
	// Dir is the directory the children write in, the same for every
	// iteration, so that later children recover what earlier ones left.
	Dir string
	// MinLife and MaxLife bound the random time a child runs before it
	// is killed. Defaults 20 ms and 170 ms.
	MinLife, MaxLife time.Duration
	// Line is called with every line the child prints, in order; an
	// error fails the test.
	Line func(line string) error
	// Check is called after each kill, once the child is gone, to check
	// what survived in Dir.
	Check func(t *testing.T, iteration int)
	// Seed seeds the random lifetimes; zero means the clock.
	Seed uint64
}

// Run starts the child Iterations times, kills each with SIGKILL after a
// random lifetime, feeds it lines to opts.Line, and calls opts.Check. A
// child that exits on its own, instead of being killed, fails the test
// with what it printed last.
func Run(t *testing.T, opts Options) {
	t.Helper()
	if _, ok := ChildDir(); ok {
		t.Skip("in a child process")
	}
	if opts.MinLife == 0 {
		opts.MinLife = 20 * time.Millisecond
	}
	if opts.MaxLife <= opts.MinLife {
		opts.MaxLife = opts.MinLife + 150*time.Millisecond
	}
	seed := opts.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range Iterations() {
		life := opts.MinLife + time.Duration(rng.Int64N(int64(opts.MaxLife-opts.MinLife)))
		if err := runChild(opts, i, life); err != nil {
			t.Fatalf("iteration %d (seed %d): %v", i, seed, err)
		}
		opts.Check(t, i)
		if t.Failed() {
			t.Fatalf("iteration %d (seed %d) failed", i, seed)
		}
	}
}

// runChild runs one child until it is killed after life, passing its
// lines to opts.Line.
func runChild(opts Options, iteration int, life time.Duration) error {
	cmd := exec.Command(os.Args[0], "-test.run=^"+opts.Child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), dirEnv+"="+opts.Dir, runEnv+"="+strconv.Itoa(iteration))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	timer := time.AfterFunc(life, func() { cmd.Process.Kill() })
	defer timer.Stop()
	var last string
	var lineErr error
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		last = sc.Text()
		if lineErr == nil {
			if lineErr = opts.Line(last); lineErr != nil {
				cmd.Process.Kill()
			}
		}
	}
	waitErr := cmd.Wait()
	if lineErr != nil {
		return lineErr
	}
	var exit *exec.ExitError
	if errors.As(waitErr, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return nil
		}
	}
	return errors.New("the child was not killed but ended (" + errString(waitErr) + "); its last line: " + last + "; stderr: " + stderr.String())
}

func errString(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
