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

// truncatingWriter truncates its log at its first write, as a follower's
// truncation can run while a fetch is being sent.
type truncatingWriter struct {
	l    *Log
	to   int64
	done bool
	got  bytes.Buffer
}

func (w *truncatingWriter) Write(p []byte) (int, error) {
	if !w.done {
		w.done = true
		if err := w.l.TruncateTo(w.to); err != nil {
			return 0, err
		}
	}
	return w.got.Write(p)
}

// TestReadToCutShortByATruncation truncates the log while ReadTo copies
// it to a plain writer. The copy comes up short; that is an error, and
// the bytes ReadTo reports are the bytes the writer got, never the ones it
// meant to write.
func TestReadToCutShortByATruncation(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l := mustOpen(t, dir, Options{FS: fsys})
		appendN(t, l, 0, 3000, 10) // ~130 KB: io.Copy writes 32 KiB at a time
		w := &truncatingWriter{l: l, to: 10}
		info, err := l.ReadTo(w, 0, ReadOptions{})
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		require.Equal(t, w.got.Len(), info.Bytes, "the bytes reported are the bytes written")
		require.Less(t, info.Bytes, int(l.Size()+1<<20), "the copy stopped short")
		require.Equal(t, int64(10), l.LogEndOffset())
	})
}

// TestReadToSocketCutShortByATruncation does the same over a TCP
// connection, where the bytes go with sendfile: a truncation while the
// sender waits for the socket to drain makes the rest of the section
// vanish. The read fails, reports what the peer received, and does not
// start the section again, which would send its first bytes twice.
func TestReadToSocketCutShortByATruncation(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	appendN(t, l, 0, 20000, 50) // ~1 MB
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	started := make(chan struct{})
	received := make(chan int, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(started)
			received <- -1
			return
		}
		defer c.Close()
		c.(*net.TCPConn).SetReadBuffer(4096)
		first := make([]byte, 16<<10)
		n, _ := io.ReadFull(c, first)
		close(started)
		rest, _ := io.Copy(io.Discard, c)
		received <- n + int(rest)
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).SetWriteBuffer(4096))
	type result struct {
		info ReadInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		info, err := l.ReadTo(conn, 0, ReadOptions{})
		conn.Close()
		done <- result{info, err}
	}()
	<-started
	require.NoError(t, l.TruncateTo(100))
	res := <-done
	require.ErrorIs(t, res.err, io.ErrUnexpectedEOF)
	require.Equal(t, <-received, res.info.Bytes, "the bytes reported are the bytes the peer got")
	require.Less(t, res.info.Bytes, 1<<20)
}
