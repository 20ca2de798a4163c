package producer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/topic"

	"github.com/commitlog-go/commitlog/internal/crashtest"
	"github.com/commitlog-go/commitlog/log"
)

// crashWriters is the number of goroutines producing in the child.
const crashWriters = 8

// TestCrashChild is the process TestCrashKillDuringProduce kills. It opens
// the registry (creating a durable topic the first time) and has
// crashWriters goroutines produce synchronously, each its own key and
// sequence, printing "ack <partition> <offset> <value>" for every
// acknowledged message, until it is killed.
func TestCrashChild(t *testing.T) {
	dir, ok := crashtest.ChildDir()
	if !ok {
		t.Skip("run by TestCrashKillDuringProduce in a child process")
	}
	fail := func(what string, err error) {
		fmt.Println(what, "failed:", err)
		os.Exit(2)
	}
	r, err := topic.Open(dir, topic.Options{})
	if err != nil {
		fail("open", err)
	}
	if _, err := r.Topic("t"); err != nil {
		if _, err := r.Create(context.Background(), "t", topic.Config{Partitions: 4, Flush: log.FlushAlways, SegmentBytes: 32 << 10}); err != nil {
			fail("create", err)
		}
	}
	prod, err := New(r, Options{})
	if err != nil {
		fail("producer", err)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	run := crashtest.ChildRun()
	var wg sync.WaitGroup
	for g := range crashWriters {
		wg.Go(func() {
			key := fmt.Sprintf("r%d-g%d", run, g)
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
// have made it), with nothing else in the topic. Each round reads what
// was written since the last, and every 50th round and the last reread
// the whole topic.
func TestCrashKillDuringProduce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reg")
	acked := map[string]crashWhere{} // value -> where, over all runs
	var checked crashChecked
	ackedTotal := 0
	crashtest.Run(t, crashtest.Options{
		Child:   "TestCrashChild",
		Dir:     dir,
		MinLife: 30 * time.Millisecond,
		Line: func(line string) error {
			var w crashWhere
			var value string
			if _, err := fmt.Sscanf(line, "ack %d %d %s", &w.partition, &w.offset, &value); err != nil {
				return fmt.Errorf("child said %q: %w", line, err)
			}
			acked[value] = w
			return nil
		},
		Check: func(t *testing.T, run int) {
			r, err := topic.Open(dir, topic.Options{RetentionCheckInterval: -1})
			require.NoError(t, err)
			defer r.Close()
			tp, err := r.Topic("t")
			if errors.Is(err, ErrUnknownTopic) && ackedTotal == 0 && len(acked) == 0 {
				// Killed before the first child created the topic.
				return
			}
			require.NoError(t, err)
			if run%50 == 49 || run == crashtest.Iterations()-1 {
				checked = crashChecked{}
			}
			checked.read(t, tp)
			// The child's records all follow where the last read stopped,
			// so this read saw every one that survived.
			for value, w := range acked {
				got, ok := checked.found[value]
				require.True(t, ok, "acknowledged %s lost", value)
				require.Equal(t, w, got, "acknowledged %s moved", value)
			}
			ackedTotal += len(acked)
			clear(acked)
			clear(checked.found)
		},
	})
	t.Logf("%d kills, %d messages acknowledged, %d in the topic", crashtest.Iterations(), ackedTotal, checked.total)
}

type crashWhere struct {
	partition int32
	offset    int64
}

// crashChecked is what TestCrashKillDuringProduce has read of the topic
// so far: where each partition's next unread record is, and the next
// sequence number each writer must have.
type crashChecked struct {
	next    map[int32]int64
	nextSeq map[string]int
	found   map[string]crashWhere // values read in the last read
	total   int
}

// read reads every partition from where the last read stopped, checking
// that each record is the next of its writer's sequence. A partition
// whose log end fell below where the last read stopped has lost
// acknowledged records.
func (c *crashChecked) read(t *testing.T, tp *topic.Topic) {
	if c.next == nil {
		c.next, c.nextSeq, c.found, c.total = map[int32]int64{}, map[string]int{}, map[string]crashWhere{}, 0
	}
	for _, p := range tp.Partitions() {
		i := p.Index()
		require.GreaterOrEqual(t, p.HighWatermark(), c.next[i], "partition %d is shorter than it was", i)
		pr, err := consumer.NewPartitionReader(tp, i, consumer.Options{Start: consumer.AtOffset(c.next[i])})
		require.NoError(t, err)
		for {
			rec, err := pr.TryNext()
			require.NoError(t, err)
			if rec == nil {
				break
			}
			// Values are <writer>-<seq>, and the writer is the key.
			value := string(rec.Value)
			j := strings.LastIndexByte(value, '-')
			require.Positive(t, j, "a record nobody wrote: %q", value)
			seq, err := strconv.Atoi(value[j+1:])
			require.NoError(t, err, "a record nobody wrote: %q", value)
			writer := value[:j]
			require.Equal(t, string(rec.Key), writer)
			require.Equal(t, c.nextSeq[writer], seq, "writer %s has a gap or a repeat", writer)
			c.nextSeq[writer]++
			c.found[value] = crashWhere{rec.Partition, rec.Offset}
			c.next[i] = rec.Offset + 1
			c.total++
		}
	}
}
