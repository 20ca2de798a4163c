package log

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

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
