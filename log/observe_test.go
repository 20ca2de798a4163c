package log

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/internal/metricstest"
	"github.com/commitlog-go/commitlog/metrics"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestRecoveryIsLoggedAndCounted damages the third of several segments
// and checks that reopening says what it cut and dropped, file by file,
// and counts the bytes.
func TestRecoveryIsLoggedAndCounted(t *testing.T) {
	dir := crashedLog(t, 400, 10, 2000)
	require.NoError(t, os.Remove(filepath.Join(dir, recoveryPointFile)))
	logs := segmentFiles(t, dir, segment.LogExt)
	require.Greater(t, len(logs), 4)
	var total int64
	for _, p := range logs {
		info, err := os.Stat(p)
		require.NoError(t, err)
		total += info.Size()
	}
	victim := logs[2]
	victimInfo, err := os.Stat(victim)
	require.NoError(t, err)
	f, err := os.OpenFile(victim, os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{0xde, 0xad}, 30)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	logger, rec := logcapture.New()
	m := metricstest.New()
	l := mustOpen(t, dir, Options{SegmentBytes: 2000, Logger: logger, Metrics: m})
	kept := l.Size()

	cuts := rec.Find("recovery cut a torn or corrupt segment tail")
	require.Len(t, cuts, 1, rec.Dump())
	require.Equal(t, victim, cuts[0].String("file"))
	cutBytes, _ := cuts[0].Int("bytes_cut")
	require.Equal(t, victimInfo.Size(), cutBytes, "the damaged first batch takes the whole segment")

	drops := rec.Find("recovery dropped a segment")
	require.Len(t, drops, len(logs)-3, rec.Dump())
	for i, e := range drops {
		require.Equal(t, logs[3+i], e.String("file"))
		require.Equal(t, "after a torn or corrupt batch", e.String("reason"))
	}
	done := rec.Find("log recovered")
	require.Len(t, done, 1, rec.Dump())
	scanned, _ := done[0].Int("bytes_scanned")
	cut, _ := done[0].Int("bytes_cut")
	require.Equal(t, total-kept, cut, "everything not kept was cut or dropped")
	require.Equal(t, float64(cut), m.SumAll(metrics.RecoveryBytesCut))
	require.Equal(t, float64(scanned), m.SumAll(metrics.RecoveryBytesScanned))
	require.Equal(t, kept+victimInfo.Size(), scanned, "three segments are read, the rest dropped unread")
	require.Empty(t, m.Mismatches())
}

// TestCleanOpenLogsNoRecovery: a clean reopen reads nothing and says
// nothing above Debug.
func TestCleanOpenLogsNoRecovery(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir, Options{})
	appendN(t, l, 0, 20, 5)
	require.NoError(t, l.Close())

	logger, rec := logcapture.New()
	m := metricstest.New()
	l = mustOpen(t, dir, Options{Logger: logger, Metrics: m})
	for _, e := range rec.Entries() {
		require.Less(t, e.Level, slog.LevelInfo, "a clean open logged %s", e.Format())
	}
	require.Len(t, rec.Find("log opened"), 1, rec.Dump())
	require.Zero(t, m.SumAll(metrics.RecoveryBytesScanned))
	require.Equal(t, int64(20), l.LogEndOffset())
}

// TestAppendsFsyncsRollsAndReadsAreCounted drives each counted path once
// and compares the counters with what the log reports itself.
func TestAppendsFsyncsRollsAndReadsAreCounted(t *testing.T) {
	logger, rec := logcapture.New()
	m := metricstest.New()
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1500, Flush: FlushAlways, Logger: logger, Metrics: m})
	appendN(t, l, 0, 100, 4) // 25 appends of 4 records
	none := metrics.Labels{}

	require.Equal(t, float64(100), m.Sum(metrics.AppendRecords, none))
	require.Equal(t, float64(l.Size()), m.Sum(metrics.AppendBytes, none), "every byte appended is still there")
	fsyncs := m.Sum(metrics.Fsyncs, none)
	require.GreaterOrEqual(t, fsyncs, float64(25), "FlushAlways syncs every append")
	require.Len(t, m.Observations(metrics.FsyncSeconds, none), int(fsyncs))
	var covered float64
	for _, v := range m.Observations(metrics.FsyncRecords, none) {
		covered += v
	}
	require.Equal(t, float64(100), covered, "the fsyncs together made each record durable once")

	rolls := m.Sum(metrics.SegmentRolls, none)
	require.Equal(t, float64(l.NumSegments()-1), rolls)
	rolled := rec.Find("segment rolled")
	require.Len(t, rolled, int(rolls), rec.Dump())
	require.Equal(t, "size", rolled[0].String("reason"))

	require.Equal(t, values(0, 100), readAll(t, l, 0))
	require.Equal(t, float64(l.Size()), m.Sum(metrics.ReadBytes, none), "one pass over the log reads it all")
	require.Empty(t, m.Mismatches())
}

// TestRetentionAndTruncationAreLogged checks the lines and deletion counts
// of the three ways segments go.
func TestRetentionAndTruncationAreLogged(t *testing.T) {
	now := time.UnixMilli(1_000_000_000)
	logger, rec := logcapture.New()
	m := metricstest.New()
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1500, RetentionAge: time.Hour, RetentionCheckInterval: -1,
		Now: func() time.Time { return now }, Logger: logger, Metrics: m})
	for i := range int64(60) {
		_, err := l.AppendRecords(record.Record{Value: []byte(values(i, 1)[0]), Timestamp: now.Add(-2 * time.Hour).UnixMilli()})
		require.NoError(t, err)
	}
	// Fresh records at the end keep the active segment.
	_, err := l.AppendRecords(record.Record{Value: []byte("fresh"), Timestamp: now.UnixMilli()})
	require.NoError(t, err)
	before := l.NumSegments()
	res, err := l.EnforceRetention()
	require.NoError(t, err)
	require.Positive(t, res.Segments)
	lines := rec.Find("retention deleted segments")
	require.Len(t, lines, 1, rec.Dump())
	n, _ := lines[0].Int("segments")
	start, _ := lines[0].Int("log_start_offset")
	require.Equal(t, int64(res.Segments), n)
	require.Equal(t, res.LogStartOffset, start)
	require.Equal(t, "age", lines[0].String("reason"))
	require.Equal(t, float64(res.Segments), m.SumAll(metrics.SegmentDeletions))
	require.Equal(t, before-res.Segments, l.NumSegments())

	end := l.LogEndOffset()
	require.NoError(t, l.TruncateTo(end-1))
	tr := rec.Find("log truncated")
	require.Len(t, tr, 1, rec.Dump())
	off, _ := tr[0].Int("offset")
	require.Equal(t, end-1, off)

	require.NoError(t, l.TruncateFullyAndStartAt(500))
	full := rec.Find("log truncated fully")
	require.Len(t, full, 1, rec.Dump())
	deleted, _ := full[0].Int("segments_deleted")
	require.Positive(t, deleted)
	require.Equal(t, float64(res.Segments)+float64(deleted), m.SumAll(metrics.SegmentDeletions))
}

func TestStatsDescribeTheLog(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1500})
	appendN(t, l, 0, 100, 4)
	_, err := l.DeleteRecordsBefore(10)
	require.NoError(t, err)
	require.NoError(t, l.Sync(t.Context()))
	st := l.Stats()
	require.Equal(t, l.NumSegments(), st.Segments)
	require.Equal(t, l.Size(), st.Bytes)
	require.Equal(t, int64(10), st.LogStartOffset)
	require.Equal(t, int64(100), st.LogEndOffset)
	require.Equal(t, int64(100), st.RecoveryPoint)
	require.Equal(t, l.segs.Load().active().BaseOffset(), st.ActiveBaseOffset)
	require.Positive(t, st.ActiveBytes)
	require.NoError(t, st.Failure)
	require.False(t, st.Closed)
	require.NoError(t, l.Close())
	require.True(t, l.Stats().Closed)
}

// TestFailureAndCheckpointFallbackAreLogged: the failure that stops
// writes is logged once, at Error, and a recovery point that does not
// parse is named when Open falls back from it.
func TestFailureAndCheckpointFallbackAreLogged(t *testing.T) {
	logger, rec := logcapture.New()
	mem := vfs.NewMem()
	syncs := 0
	fsys := vfs.Hook(mem, func(op vfs.Op) error {
		if op.Kind == vfs.OpSync && strings.HasSuffix(op.Path, segment.LogExt) {
			if syncs++; syncs == 2 {
				return syscall.EIO
			}
		}
		return nil
	})
	l := mustOpen(t, "/d", Options{FS: fsys, Flush: FlushAlways, Logger: logger})
	appendN(t, l, 0, 1, 1)
	_, err := l.AppendRecords(rec0())
	require.ErrorIs(t, err, syscall.EIO)
	_, err = l.AppendRecords(rec0())
	require.Error(t, err)
	failed := rec.Find("log failed")
	require.Len(t, failed, 1, rec.Dump())
	require.Equal(t, slog.LevelError, failed[0].Level)
	require.Contains(t, failed[0].String("err"), syscall.EIO.Error())

	dir := crashedLog(t, 30, 10, 1<<20)
	require.NoError(t, os.WriteFile(filepath.Join(dir, recoveryPointFile), []byte("not a checkpoint"), 0o644))
	logger, rec = logcapture.New()
	l = mustOpen(t, dir, Options{Logger: logger})
	require.Equal(t, int64(30), l.LogEndOffset())
	fallback := rec.Find("checkpoint does not parse: ignored")
	require.Len(t, fallback, 1, rec.Dump())
	require.Equal(t, filepath.Join(dir, recoveryPointFile), fallback[0].String("file"))
	require.Len(t, rec.Find("log recovered"), 1, rec.Dump())
}

func rec0() record.Record { return record.Record{Value: []byte("x")} }

func TestLockConflictIsLogged(t *testing.T) {
	dir := t.TempDir()
	mustOpen(t, dir, Options{})
	logger, rec := logcapture.New()
	_, err := Open(dir, Options{Logger: logger})
	require.ErrorIs(t, err, ErrLocked)
	refused := rec.Find("log open refused: the directory is open elsewhere")
	require.Len(t, refused, 1, rec.Dump())
	require.Equal(t, dir, refused[0].String("dir"))
}
