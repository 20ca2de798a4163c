package log

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/commitlog-go/commitlog/internal/metricstest"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/stretchr/testify/require"
)

// TestSendfileMovesSection checks that the sendfile path is taken for a
// TCP connection and copies exactly the section asked for, from a position
// that leaves the file's own offset alone.
func TestSendfileMovesSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	content := make([]byte, 1<<20)
	for i := range content {
		content[i] = byte(i * 7)
	}
	require.NoError(t, os.WriteFile(path, content, 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		data, _ := io.ReadAll(c)
		c.Close()
		got <- data
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	n, done, err := sendfile(conn, f, 1000, 700_000)
	require.True(t, done, "a TCP connection takes the sendfile path")
	require.NoError(t, err)
	require.Equal(t, int64(700_000), n)
	conn.Close()
	require.Equal(t, content[1000:701_000], <-got)
	pos, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	require.Zero(t, pos, "positional: the file offset did not move")

	_, done, _ = sendfile(io.Discard, f, 0, 10)
	require.False(t, done, "a plain writer does not")
}

// TestReadToCountsSendfileBytes reads a log to a TCP connection and to a
// buffer: only the first counts as sent by the kernel, both as read.
func TestReadToCountsSendfileBytes(t *testing.T) {
	m := metricstest.New()
	l := mustOpen(t, t.TempDir(), Options{Metrics: m})
	appendN(t, l, 0, 200, 20)
	size := l.Size()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	got := make(chan int, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- -1
			return
		}
		data, _ := io.ReadAll(c)
		c.Close()
		got <- len(data)
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	info, err := l.ReadTo(conn, 0, ReadOptions{MaxBytes: int(size)})
	require.NoError(t, err)
	conn.Close()
	require.Equal(t, int(size), <-got)
	require.Equal(t, int(size), info.Bytes)

	var buf bytes.Buffer
	_, err = l.ReadTo(&buf, 0, ReadOptions{MaxBytes: int(size)})
	require.NoError(t, err)
	none := metrics.Labels{}
	require.Equal(t, float64(size), m.Sum(metrics.SendfileBytes, none))
	require.Equal(t, float64(2*size), m.Sum(metrics.ReadBytes, none))
}
