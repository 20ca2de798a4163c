package topic

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/log"
)

var crashIterations = flag.Int("crash.iterations", 20, "kill-and-reopen iterations of TestCrashKillDuringProduce")

const (
	crashChildEnv = "COMMITLOG_TOPIC_CRASH_CHILD_DIR"
	crashRunEnv   = "COMMITLOG_TOPIC_CRASH_RUN"
	crashWriters  = 8
)

// TestCrashChild is the process TestCrashKillDuringProduce kills. It opens
// the registry (creating a durable topic the first time) and has
// crashWriters goroutines produce synchronously, each its own key and
// sequence, printing "ack <partition> <offset> <value>" for every
// acknowledged message, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("run by TestCrashKillDuringProduce in a child process")
	}
	fail := func(what string, err error) {
		fmt.Println(what, "failed:", err)
		os.Exit(2)
	}
	r, err := Open(dir, Options{})
	if err != nil {
		fail("open", err)
	}
	if _, err := r.Topic("t"); err != nil {
		if _, err := r.Create("t", Config{Partitions: 4, Flush: log.FlushAlways, SegmentBytes: 32 << 10}); err != nil {
			fail("create", err)
		}
	}
	prod, err := r.NewProducer(ProducerOptions{})
	if err != nil {
		fail("producer", err)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	run := os.Getenv(crashRunEnv)
	var wg sync.WaitGroup
	for g := range crashWriters {
		wg.Go(func() {
			key := fmt.Sprintf("r%s-g%d", run, g)
			for seq := 0; ; seq++ {
				value := fmt.Sprintf("%s-%d", key, seq)
				ack, err := prod.Produce(context.Background(), Message{Topic: "t", Key: []byte(key), Value: []byte(value)})
				if err != nil {
					fail("produce", err)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %d %d %s\n", ack.Partition, ack.Offset, value)
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestCrashKillDuringProduce kills a producing process with SIGKILL at a
// random moment and reopens its registry: every acknowledged message is at
// the offset its acknowledgement gave, and each writer's messages form a
// gapless prefix of what it produced (the one in flight may or may not
// have made it), with nothing else in the topic.
func TestCrashKillDuringProduce(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	dir := filepath.Join(t.TempDir(), "reg")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	type where struct {
		partition int32
		offset    int64
	}
	acked := map[string]where{} // value -> where, over all runs
	for run := range *crashIterations {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashRunEnv+"="+strconv.Itoa(run))
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		deadline := time.After(time.Duration(30+rng.IntN(150)) * time.Millisecond)
		killed := false
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if !killed {
				select {
				case <-deadline:
					require.NoError(t, cmd.Process.Kill())
					killed = true
				default:
				}
			}
			var w where
			var value string
			_, err := fmt.Sscanf(sc.Text(), "ack %d %d %s", &w.partition, &w.offset, &value)
			require.NoError(t, err, "child said: %s", sc.Text())
			acked[value] = w
		}
		if !killed {
			require.NoError(t, cmd.Process.Kill())
		}
		cmd.Wait()

		r, err := Open(dir, Options{RetentionCheckInterval: -1})
		require.NoError(t, err, "run %d", run)
		tp, err := r.Topic("t")
		require.NoError(t, err, "run %d", run)
		found := map[string]where{}
		nextSeq := map[string]int{}
		for _, p := range tp.Partitions() {
			pr, err := tp.NewPartitionReader(int(p.Index()), ReaderOptions{})
			require.NoError(t, err)
			for {
				rec, err := pr.TryNext()
				require.NoError(t, err)
				if rec == nil {
					break
				}
				// Values are <writer>-<seq>, and the writer is the key.
				value := string(rec.Value)
				i := strings.LastIndexByte(value, '-')
				require.Positive(t, i, "run %d: a record nobody wrote: %q", run, value)
				seq, err := strconv.Atoi(value[i+1:])
				require.NoError(t, err, "run %d: a record nobody wrote: %q", run, value)
				writer := value[:i]
				require.Equal(t, string(rec.Key), writer, "run %d", run)
				require.Equal(t, nextSeq[writer], seq, "run %d: writer %s has a gap or a repeat", run, writer)
				nextSeq[writer]++
				found[value] = where{rec.Partition, rec.Offset}
			}
		}
		for value, w := range acked {
			require.Equal(t, w, found[value], "run %d: acknowledged %s lost or moved", run, value)
		}
		require.NoError(t, r.Close())
	}
	t.Logf("%d kills, %d messages acknowledged", *crashIterations, len(acked))
}
