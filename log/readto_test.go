package log

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// TestReadToSocket serves reads over a loopback TCP connection, where
// ReadTo uses sendfile on Linux, and checks that the bytes match Read's.
func TestReadToSocket(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 8000})
	appendN(t, l, 0, 500, 10)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	received := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			received <- nil
			return
		}
		defer c.Close()
		data, _ := io.ReadAll(c)
		received <- data
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)

	var want []byte
	for _, off := range []int64{0, 123, 499} {
		info, err := l.ReadTo(conn, off, ReadOptions{MaxBytes: 3000, MinOneBatch: true})
		require.NoError(t, err)
		data, rinfo, err := l.Read(nil, off, ReadOptions{MaxBytes: 3000, MinOneBatch: true})
		require.NoError(t, err)
		require.Equal(t, rinfo, info)
		require.Positive(t, info.Bytes)
		want = append(want, data...)
	}
	require.NoError(t, conn.Close())
	got := <-received
	require.True(t, bytes.Equal(want, got), "sent %d bytes, received %d", len(want), len(got))
}

// TestReadToBuffer covers the path without sendfile: a plain writer, and
// the in-memory filesystem.
func TestReadToBuffer(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l := mustOpen(t, dir, Options{FS: fsys})
		appendN(t, l, 0, 100, 10)
		var buf bytes.Buffer
		info, err := l.ReadTo(&buf, 35, ReadOptions{MaxOffset: 80})
		require.NoError(t, err)
		data, rinfo, err := l.Read(nil, 35, ReadOptions{MaxOffset: 80})
		require.NoError(t, err)
		require.Equal(t, rinfo, info)
		require.Equal(t, data, buf.Bytes())
		require.Equal(t, int64(30), info.FirstOffset)
		require.Equal(t, int64(80), info.NextOffset)
	})
}
