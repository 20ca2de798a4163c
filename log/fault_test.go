package log

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// faultValue is the value of the record at offset in the fault workload.
func faultValue(offset int64) string { return fmt.Sprintf("value-%d", offset) }

// TestFailEveryOperation runs a workload (appends that roll small
// segments, retention, Roll, DeleteRecordsBefore, TruncateTo, close) once per filesystem operation, failing that
// operation: with EIO, and with ENOSPC after writing half. Every run must
// end without a panic; the first error must be the injected one (typed);
// after a failed write or sync the log must refuse appends; and the log
// reopened on the files as they are must hold every acknowledged record
// that retention did not delete, with nothing but written records after.
func TestFailEveryOperation(t *testing.T) {
	for _, plan := range []vfs.FaultPlan{
		{Err: syscall.EIO},
		{Err: syscall.ENOSPC, ShortWrite: true},
	} {
		t.Run(plan.Err.Error(), func(t *testing.T) {
			points := 0
			for i := 0; ; i++ {
				plan.FailAt = i
				if !runFaultWorkload(t, plan) {
					break
				}
				points++
			}
			require.Greater(t, points, 100, "the workload makes many operations")
			t.Logf("%d failure points", points)
		})
	}
}

// runFaultWorkload runs the workload with one failure point and checks
// the outcome; it reports whether the failure fired.
func runFaultWorkload(t *testing.T, plan vfs.FaultPlan) bool {
	t.Helper()
	m := vfs.NewMem()
	f := vfs.NewFaultFS(m, plan)
	opts := Options{FS: f, Flush: FlushAlways, SegmentBytes: 1024, MaxIndexBytes: 1024,
		RetentionBytes: 3000, RetentionCheckInterval: -1}
	where := fmt.Sprintf("failing operation %d (%v)", plan.FailAt, plan.Err)
	acked := int64(0) // the end of what was acknowledged
	checkInjected := func(err error) {
		t.Helper()
		var ie *vfs.InjectedError
		require.ErrorAs(t, err, &ie, where)
		require.ErrorIs(t, err, plan.Err, where)
	}

	l, err := Open("/d/p-0", opts)
	if err != nil {
		checkInjected(err)
	} else {
		var failed error
		var failedOp vfs.OpKind
		for n := int64(0); n < 60 && failed == nil; n++ {
			off := l.LogEndOffset()
			info, err := l.AppendRecords(record.Record{Timestamp: n, Value: []byte(faultValue(off))})
			if err == nil {
				require.Equal(t, off, info.FirstOffset, where)
				acked = info.LastOffset + 1
				switch {
				case n%20 == 19:
					_, err = l.EnforceRetention()
				case n == 30:
					err = l.Roll()
				case n == 35:
					_, err = l.DeleteRecordsBefore(l.LogStartOffset() + 3)
				case n == 45:
					// Once begun, a truncation finishes on reopen.
					target := l.LogEndOffset() - 4
					acked = min(acked, target)
					err = l.TruncateTo(target)
				}
			}
			if err != nil {
				checkInjected(err)
				failed = err
				var ie *vfs.InjectedError
				errors.As(err, &ie)
				failedOp = ie.Op.Kind
			}
		}
		if failed != nil && (failedOp == vfs.OpWrite || failedOp == vfs.OpSync) {
			_, err := l.AppendRecords(record.Record{Value: []byte("after")})
			require.Error(t, err, "%s: the log accepted an append after a failed %s", where, failedOp)
			checkInjected(err)
		}
		l.Close() // may fail too; it must not panic
	}

	// Reopen on the files as the workload left them.
	l, err = Open("/d/p-0", Options{FS: m, MaxIndexBytes: 1024, RetentionCheckInterval: -1})
	require.NoError(t, err, where)
	defer l.Close()
	require.GreaterOrEqual(t, l.LogEndOffset(), acked, "%s: acknowledged records lost", where)
	r := l.NewReader(l.LogStartOffset())
	next := l.LogStartOffset()
	for r.Next() {
		rec := r.Record()
		require.Equal(t, next, rec.Offset, where)
		require.Equal(t, faultValue(rec.Offset), string(rec.Value), where)
		next++
	}
	require.NoError(t, r.Err(), where)
	require.Equal(t, l.LogEndOffset(), next, where)
	return f.Fired()
}
