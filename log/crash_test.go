package log

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/crashtest"
	"github.com/commitlog-go/commitlog/record"
)

// crashValue appends the value of the record at offset, so that any
// reader can tell whether a record holds what was written there.
func crashValue(dst []byte, offset int64) []byte {
	dst = append(dst, "offset-"...)
	dst = strconv.AppendInt(dst, offset, 10)
	dst = append(dst, '-')
	for range offset % 97 {
		dst = append(dst, 'x')
	}
	return dst
}

// TestCrashChild is the writer that TestCrashKillDuringAppend runs in a
// child process. It appends and prints the last offset of each
// acknowledged append, until it is killed: in even rounds with an fsync
// per append, in odd ones with none, since a process that dies leaves
// what it wrote in the page cache and an acknowledged record must survive
// it under every flush policy.
func TestCrashChild(t *testing.T) {
	dir, ok := crashtest.ChildDir()
	if !ok {
		t.Skip("run by TestCrashKillDuringAppend in a child process")
	}
	flush := FlushAlways
	if crashtest.ChildRun()%2 == 1 {
		flush = FlushNever
	}
	l, err := Open(dir, Options{Flush: flush, SegmentBytes: 64 << 10})
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for {
		next := l.LogEndOffset()
		n := 1 + rng.Int64N(20)
		recs := make([]record.Record, n)
		for i := range recs {
			off := next + int64(i)
			recs[i] = record.Record{Timestamp: off, Key: []byte(strconv.FormatInt(off, 10)), Value: crashValue(nil, off)}
		}
		info, err := l.AppendRecords(recs...)
		if err != nil {
			fmt.Println("append failed:", err)
			os.Exit(2)
		}
		fmt.Fprintf(out, "ack %d\n", info.LastOffset)
		out.Flush()
	}
}

// TestCrashKillDuringAppend kills a writer process with SIGKILL at a random
// moment, reopens its log, and checks that every acknowledged record is
// there, byte for byte, and that nothing follows the log end. It repeats on
// the same directory, so later rounds also recover logs that earlier
// rounds recovered. Each round reads what the last one added, and every
// 50th round and the last reread the whole log.
func TestCrashKillDuringAppend(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p-0")
	acked := int64(-1)
	verified := int64(0) // records below this were checked in an earlier round
	crashtest.Run(t, crashtest.Options{
		Child: "TestCrashChild",
		Dir:   dir,
		Line: func(line string) error {
			last, ok := strings.CutPrefix(line, "ack ")
			if !ok {
				return fmt.Errorf("child said: %s", line)
			}
			off, err := strconv.ParseInt(last, 10, 64)
			acked = off
			return err
		},
		Check: func(t *testing.T, i int) {
			l, err := Open(dir, Options{SegmentBytes: 64 << 10})
			require.NoError(t, err)
			defer l.Close()
			require.GreaterOrEqual(t, l.LogEndOffset(), acked+1, "acknowledged records survive")
			if i%50 == 49 || i == crashtest.Iterations()-1 {
				verified = 0
			}
			r := l.NewReader(verified)
			n := verified
			var want []byte
			for r.Next() {
				rr := r.Record()
				want = crashValue(want[:0], n)
				if rr.Offset != n || !bytes.Equal(rr.Value, want) {
					t.Fatalf("record at offset %d is %q, want offset %d %q", rr.Offset, rr.Value, n, want)
				}
				n++
			}
			require.NoError(t, r.Err())
			require.Equal(t, l.LogEndOffset(), n, "nothing past the log end")
			verified = n
		},
	})
	t.Logf("%d kills, %d records acknowledged", crashtest.Iterations(), acked+1)
}
