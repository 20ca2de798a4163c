package log

import (
	"fmt"
	"maps"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/segment"
	"github.com/commitlog-go/commitlog/vfs"
)

// TestFailedRemoveThenAppend fails each file removal a workload makes, in
// turn, and goes on after every error, as a partition would: appends
// (fsynced, rolling small segments), truncations that drop segments or
// empty the log below its start, retention by size, DeleteRecordsBefore,
// Roll, and a close and reopen half way. A truncation that fails must
// make the log refuse every write until it is reopened, and the reopen
// finishes it; a retention pass or DeleteRecordsBefore that fails to
// delete a file must leave the log taking appends. Whenever the log is
// reopened, half way and at the end on the files as they are without
// faults, it must hold exactly the acknowledged records the workload did
// not remove, each read back from its own offset: a file left behind
// must not come back, nor its name be taken over with its old contents.
func TestFailedRemoveThenAppend(t *testing.T) {
	points := 0
	for i := 0; ; i++ {
		plan := vfs.FaultPlan{Match: func(op vfs.Op) bool { return op.Kind == vfs.OpRemove }, FailAt: i, Err: syscall.EIO}
		if !runFailedRemove(t, plan) {
			break
		}
		points++
	}
	require.Greater(t, points, 40, "the workload removes many files")
	t.Logf("%d removes failed in turn", points)
}

// removeModel is what a log in the remove workload must hold.
type removeModel struct {
	t     *testing.T
	where string
	// recs are the acknowledged records no operation removed, by offset;
	// start and end the log start and end the log gave last.
	recs       map[int64]string
	start, end int64
	// cut is the target of a truncation that failed part way, or -1: the
	// log refuses writes until it is reopened, which finishes the cut;
	// cutBelowStart says the target lay below the log start then.
	cut           int64
	cutBelowStart bool
	// mustAccept says an operation failed that must not stop the log:
	// the next append is to succeed.
	mustAccept string
	// removeFailed is set once a failure was seen.
	removeFailed bool
}

// failed checks that err is the injected failure, or the log's refusal
// that it caused.
func (m *removeModel) failed(err error, doing string) {
	m.t.Helper()
	var ie *vfs.InjectedError
	require.ErrorAs(m.t, err, &ie, "%s: %s", m.where, doing)
	require.ErrorIs(m.t, err, syscall.EIO, "%s: %s", m.where, doing)
	m.removeFailed = true
}

// observe takes the log's offsets after an operation, and forgets the
// records outside them; not while a failed truncation waits for the
// reopen to finish it.
func (m *removeModel) observe(l *Log) {
	if m.cut >= 0 {
		return
	}
	m.start, m.end = l.LogStartOffset(), l.LogEndOffset()
	maps.DeleteFunc(m.recs, func(o int64, _ string) bool { return o < m.start || o >= m.end })
}

func (m *removeModel) appendOne(l *Log, n int) {
	m.t.Helper()
	off := l.LogEndOffset()
	v := fmt.Sprintf("o%d-n%d", off, n)
	info, err := l.AppendRecords(record.Record{Timestamp: 1_700_000_000_000 + int64(n), Value: []byte(v)})
	if err != nil {
		require.Equal(m.t, "", m.mustAccept, "%s: append %d refused after %s: %v", m.where, n, m.mustAccept, err)
		m.failed(err, "appending")
		return
	}
	require.Equal(m.t, int64(-1), m.cut, "%s: append %d acknowledged after a truncation to %d failed", m.where, n, m.cut)
	require.Equal(m.t, off, info.FirstOffset, m.where)
	m.recs[off] = v
	m.mustAccept = ""
	m.observe(l)
}

// truncate truncates to offset, if that is below the log end.
func (m *removeModel) truncate(l *Log, offset int64) {
	m.t.Helper()
	if offset >= m.end {
		return
	}
	before, refused := l.LogStartOffset(), l.failed.Load() != nil
	if err := l.TruncateTo(offset); err != nil {
		m.failed(err, fmt.Sprintf("truncating to %d", offset))
		if !refused {
			// Begun: its intent is on disk.
			m.cut, m.cutBelowStart = offset, offset < before
		}
		return
	}
	require.Equal(m.t, int64(-1), m.cut, "%s: a truncation worked after one to %d failed", m.where, m.cut)
	require.Equal(m.t, offset, l.LogEndOffset(), "%s: every batch is one record, so a truncation cuts exactly", m.where)
	if offset < before {
		require.Equal(m.t, offset, l.LogStartOffset(), "%s: a truncation below the start restarts the log there", m.where)
	}
	m.observe(l)
}

// mayFail runs an operation that may fail without stopping the log (a
// retention pass, DeleteRecordsBefore) when it is not refused outright.
func (m *removeModel) mayFail(l *Log, doing string, op func() error) {
	m.t.Helper()
	refused := l.failed.Load() != nil
	if err := op(); err != nil {
		m.failed(err, doing)
		if !refused {
			m.mustAccept = doing + " failed"
		}
	} else {
		require.Equal(m.t, int64(-1), m.cut, "%s: %s worked after a truncation to %d failed", m.where, doing, m.cut)
	}
	m.observe(l)
}

// reopened checks a log just opened: a failed truncation is finished, and
// the records are exactly those acknowledged and kept, each read from its
// own offset as well as in one pass.
func (m *removeModel) reopened(l *Log) {
	m.t.Helper()
	if m.cut >= 0 {
		if m.cutBelowStart {
			m.start = m.cut
		}
		m.end = m.cut
		m.cut = -1
	}
	m.mustAccept = ""
	require.Equal(m.t, m.start, l.LogStartOffset(), "%s: log start after reopening", m.where)
	require.Equal(m.t, m.end, l.LogEndOffset(), "%s: log end after reopening", m.where)
	maps.DeleteFunc(m.recs, func(o int64, _ string) bool { return o < m.start || o >= m.end })
	var want []string
	for o := m.start; o < m.end; o++ {
		v, ok := m.recs[o]
		require.True(m.t, ok, "%s: no acknowledged record at %d, inside the log [%d, %d)", m.where, o, m.start, m.end)
		want = append(want, v)
	}
	got := readAll(m.t, l, m.start)
	require.Equal(m.t, want, got, "%s: records after reopening", m.where)
	for o := m.start; o < m.end; o++ {
		r := l.NewReader(o)
		require.True(m.t, r.Next(), "%s: reading at %d: %v", m.where, o, r.Err())
		require.Equal(m.t, o, r.Record().Offset, m.where)
		require.Equal(m.t, m.recs[o], string(r.Record().Value), "%s: reading at %d", m.where, o)
	}
}

// openFaulty opens the log on the faulty filesystem, once more if the
// injected failure stopped the first Open.
func (m *removeModel) openFaulty(opts Options) *Log {
	m.t.Helper()
	l, err := Open("/d/p", opts)
	if err != nil {
		m.failed(err, "opening")
		l, err = Open("/d/p", opts)
	}
	require.NoError(m.t, err, m.where)
	return l
}

// runFailedRemove runs the workload with one failure point and checks
// it; it reports whether the failure fired.
func runFailedRemove(t *testing.T, plan vfs.FaultPlan) bool {
	t.Helper()
	mem := vfs.NewMem()
	f := vfs.NewFaultFS(mem, plan)
	opts := Options{FS: f, Flush: FlushAlways, SegmentBytes: 1024, MaxIndexBytes: 1024, IndexIntervalBytes: 64, RetentionAge: -1,
		RetentionBytes: 1200, RetentionCheckInterval: -1}
	m := &removeModel{t: t, where: fmt.Sprintf("failing remove %d", plan.FailAt), recs: map[int64]string{}, cut: -1}
	l := m.openFaulty(opts)
	m.reopened(l)
	for n := range 150 {
		m.appendOne(l, 2*n)
		m.appendOne(l, 2*n+1)
		switch {
		case n == 75:
			// Close may fail as well; the reopen must not.
			l.Close()
			l = m.openFaulty(opts)
			m.reopened(l)
		case n == 50 || n == 100:
			// Below the log start and the segments retention deleted:
			// the log restarts empty there, and takes their names again.
			if m.start > 0 {
				m.truncate(l, max(0, m.start-30))
			}
		case n == 33 || n == 120:
			m.truncate(l, max(m.start, m.end-20)) // across a segment or two
		case n%9 == 4:
			m.truncate(l, max(m.start, m.end-1-int64(n%6)))
		case n%10 == 9:
			m.mayFail(l, "retention", func() error { _, err := l.EnforceRetention(); return err })
		case n%25 == 12:
			// Up to the second segment, so that the first goes.
			if segs, err := l.Segments(); err == nil && len(segs) > 1 {
				m.mayFail(l, "deleting records", func() error {
					_, err := l.DeleteRecordsBefore(segs[1].BaseOffset)
					return err
				})
			}
		case n%30 == 20:
			if err := l.Roll(); err != nil {
				m.failed(err, "rolling")
			}
			m.observe(l)
		}
	}
	l.Close()
	if !f.Fired() {
		require.False(t, m.removeFailed, m.where)
	}

	// Reopen on the files as the workload left them, without faults; and
	// once more after appending, in case the first Open left something.
	opts.FS = mem
	l, err := Open("/d/p", opts)
	require.NoError(t, err, m.where)
	m.reopened(l)
	for n := range 40 {
		m.appendOne(l, 1000+n)
	}
	require.NoError(t, l.Close(), m.where)
	l, err = Open("/d/p", opts)
	require.NoError(t, err, m.where)
	defer l.Close()
	m.reopened(l)
	// Nothing a failed removal left is kept: every segment file is one
	// of the log's, and none of those lies wholly below the log start.
	segs := l.segs.Load().segs
	if len(segs) > 1 {
		require.Greater(t, segs[1].BaseOffset(), l.LogStartOffset(), "%s: a segment wholly below the log start is kept", m.where)
	}
	bases := map[int64]bool{}
	for _, s := range segs {
		bases[s.BaseOffset()] = true
	}
	names, err := mem.List("/d/p")
	require.NoError(t, err)
	for _, name := range names {
		if base, _, ok := segment.ParseFileName(name); ok {
			require.True(t, bases[base], "%s: %s belongs to no segment of the log", m.where, name)
		}
	}
	return f.Fired()
}
