package log

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

func TestAppendAndReadBack(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l := mustOpen(t, dir, Options{FS: fsys, Codec: compress.LZ4})
		require.Equal(t, int64(0), l.LogEndOffset())
		appendN(t, l, 0, 1000, 37)
		require.Equal(t, int64(1000), l.LogEndOffset())
		require.Equal(t, values(0, 1000), readAll(t, l, 0))
		require.Equal(t, values(500, 500), readAll(t, l, 500), "a read from the middle of a batch skips its earlier records")
		require.Empty(t, readAll(t, l, 1000), "reading at the log end returns nothing")
	})
}

func TestReopenKeepsEverything(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		opts := Options{FS: fsys, SegmentBytes: 4096}
		l, err := Open(dir, opts)
		require.NoError(t, err)
		appendN(t, l, 0, 500, 10)
		segs := l.NumSegments()
		require.Greater(t, segs, 3)
		require.NoError(t, l.Close())
		require.NoError(t, l.Close(), "Close is idempotent")

		l = mustOpen(t, dir, opts)
		require.Equal(t, int64(500), l.LogEndOffset())
		require.Equal(t, segs, l.NumSegments())
		require.Equal(t, values(0, 500), readAll(t, l, 0))
		appendN(t, l, 500, 100, 10)
		require.Equal(t, values(0, 600), readAll(t, l, 0))
	})
}

func TestSecondOpenIsRefused(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l := mustOpen(t, dir, Options{FS: fsys})
		_, err := Open(dir, Options{FS: fsys})
		require.ErrorIs(t, err, ErrLocked)
		require.Contains(t, err.Error(), dir)
		require.NoError(t, l.Close())
		l2, err := Open(dir, Options{FS: fsys})
		require.NoError(t, err, "the lock is released on Close")
		require.NoError(t, l2.Close())
	})
}

func TestOperationsOnClosedLog(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l, err := Open(dir, Options{FS: fsys})
		require.NoError(t, err)
		appendN(t, l, 0, 10, 10)
		require.NoError(t, l.Close())
		_, err = l.AppendRecords(rec(10))
		require.ErrorIs(t, err, ErrClosed)
		_, _, err = l.Read(nil, 0, ReadOptions{})
		require.ErrorIs(t, err, ErrClosed)
		r := l.NewReader(0)
		require.False(t, r.Next())
		require.ErrorIs(t, r.Err(), ErrClosed)
		require.ErrorIs(t, l.Sync(t.Context()), ErrClosed)
	})
}

func TestRollRules(t *testing.T) {
	t.Run("size", func(t *testing.T) {
		l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1000})
		appendN(t, l, 0, 100, 5)
		require.GreaterOrEqual(t, l.NumSegments(), int(l.Size()/1000))
		require.Greater(t, l.NumSegments(), 3)
		for _, s := range l.segs.Load().segs {
			require.LessOrEqual(t, s.Size(), int64(1000))
		}
		require.Equal(t, values(0, 100), readAll(t, l, 0))
	})
	t.Run("age by record time", func(t *testing.T) {
		l := mustOpen(t, t.TempDir(), Options{SegmentAge: time.Hour})
		base := int64(1_700_000_000_000)
		for i, ts := range []int64{base, base + 1000, base + int64(time.Hour/time.Millisecond), base + int64(time.Hour/time.Millisecond) + 1} {
			_, err := l.AppendRecords(record.Record{Timestamp: ts, Value: []byte{byte(i)}})
			require.NoError(t, err)
		}
		// The third record is exactly an hour after the first, which does
		// not exceed the age; the fourth is past it.
		require.Equal(t, 2, l.NumSegments())
		require.Equal(t, int64(3), l.segs.Load().active().BaseOffset())
	})
	t.Run("age ignores the wall clock", func(t *testing.T) {
		now := time.Now()
		l := mustOpen(t, t.TempDir(), Options{SegmentAge: time.Minute, Now: func() time.Time { return now }})
		appendN(t, l, 0, 3, 1)
		now = now.Add(24 * time.Hour)
		appendN(t, l, 3, 3, 1)
		require.Equal(t, 1, l.NumSegments(), "records 30 ms apart never span a minute")
	})
	t.Run("index full", func(t *testing.T) {
		// Room for 4 entries, an entry every 64 bytes: a few batches fill it.
		l := mustOpen(t, t.TempDir(), Options{IndexIntervalBytes: 64, MaxIndexBytes: 4 * 12})
		appendN(t, l, 0, 60, 1)
		require.Greater(t, l.NumSegments(), 3)
		require.Equal(t, values(0, 60), readAll(t, l, 0))
	})
	t.Run("offset overflow", func(t *testing.T) {
		l := mustOpen(t, t.TempDir(), Options{})
		appendN(t, l, 0, 3, 3)
		far := int64(1) << 33
		require.NoError(t, followerAppend(t, l, far, 2))
		require.Equal(t, 2, l.NumSegments())
		require.Equal(t, far, l.segs.Load().active().BaseOffset(), "the new segment starts at the batch's own offset")
		require.Equal(t, far+2, l.LogEndOffset())
		r := l.NewReader(3)
		require.True(t, r.Next(), "reading in the gap continues in the next segment")
		require.Equal(t, far, r.Record().Offset)
		require.True(t, r.Next())
		require.Equal(t, far+1, r.Record().Offset)
		require.False(t, r.Next())
		require.NoError(t, r.Err())
	})
}

// followerAppend appends n records that start at offset, as copied from a
// leader.
func followerAppend(t *testing.T, l *Log, offset int64, n int) error {
	t.Helper()
	_, err := l.AppendFollower(followerBatchOfEpoch(t, offset, n, 4))
	return err
}

func TestFollowerAppendRules(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{})
	require.NoError(t, followerAppend(t, l, 0, 5))
	err := followerAppend(t, l, 3, 1)
	require.ErrorIs(t, err, ErrUnexpectedOffset)
	var ue *UnexpectedOffsetError
	require.ErrorAs(t, err, &ue)
	require.Equal(t, UnexpectedOffsetError{FirstOffset: 3, LastOffset: 3, LogEnd: 5, BatchOffset: 3, Expected: 5}, *ue,
		"what a fetcher needs to start again")
	_, err = l.AppendFollower(append(followerBatch(t, 5, 2), followerBatch(t, 6, 3)...))
	require.ErrorAs(t, err, &ue, "offsets that go back within the append")
	require.Equal(t, UnexpectedOffsetError{FirstOffset: 5, LastOffset: 8, LogEnd: 5, BatchOffset: 6, Expected: 7}, *ue)
	require.Equal(t, int64(5), l.LogEndOffset(), "nothing of it is written")
	require.NoError(t, followerAppend(t, l, 10, 2), "a gap left by compaction is allowed")
	require.Equal(t, int64(12), l.LogEndOffset())
	data, _, err := l.Read(nil, 0, ReadOptions{})
	require.NoError(t, err)
	s := record.NewScanner(data, record.CheckAll)
	for s.Next() {
		require.Equal(t, int32(4), s.Batch().PartitionLeaderEpoch(), "a follower keeps the leader's epoch")
	}
}

func TestLeaderAppendStampsOffsetsAndEpoch(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{TimestampType: record.LogAppendTime, Now: func() time.Time { return time.UnixMilli(1_800_000_000_000) }})
	l.SetLeaderEpoch(7)
	b := record.NewBuilder()
	var data []byte
	for i := range 3 {
		b.Reset()
		b.SetBaseOffset(999) // a producer's offsets mean nothing to the leader
		b.Append(rec(int64(i)))
		b.Append(rec(int64(i) + 100))
		batch, err := b.Build()
		require.NoError(t, err)
		data = append(data, batch...)
	}
	info, err := l.Append(data)
	require.NoError(t, err)
	require.Equal(t, AppendInfo{FirstOffset: 0, LastOffset: 5, MaxTimestamp: 1_800_000_000_000, Batches: 3, Records: 6}, info)
	got, _, err := l.Read(nil, 0, ReadOptions{})
	require.NoError(t, err)
	s := record.NewScanner(got, record.CheckAll)
	next := int64(0)
	for s.Next() {
		require.Equal(t, next, s.Batch().BaseOffset())
		require.Equal(t, int32(7), s.Batch().PartitionLeaderEpoch())
		require.Equal(t, record.LogAppendTime, s.Batch().Attributes().TimestampType())
		next = s.Batch().NextOffset()
	}
	require.NoError(t, s.Err())
	require.Equal(t, int64(6), next)
}

func TestAppendRejectsBadInput(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{MaxBatchBytes: 300})
	b := record.NewBuilder()
	b.Append(record.Record{Value: make([]byte, 400)})
	big, err := b.Build()
	require.NoError(t, err)
	_, err = l.Append(append([]byte(nil), big...))
	require.ErrorIs(t, err, ErrBatchTooLarge)

	b.Reset()
	b.Append(rec(1))
	built, err := b.Build()
	require.NoError(t, err)
	good := append([]byte(nil), built...)
	damaged := append([]byte(nil), good...)
	damaged[len(damaged)-1] ^= 0xff
	_, err = l.Append(damaged)
	require.ErrorIs(t, err, ErrCorrupt)
	_, err = l.Append(append([]byte(nil), good[:len(good)-3]...))
	require.ErrorIs(t, err, record.ErrTruncated)

	b.Reset()
	empty, err := b.Build()
	require.NoError(t, err)
	_, err = l.Append(append([]byte(nil), empty...))
	require.ErrorIs(t, err, ErrEmptyBatch)
	_, err = l.Append(nil)
	require.ErrorIs(t, err, ErrEmptyBatch)

	require.Equal(t, int64(0), l.LogEndOffset(), "nothing of a refused append is written")
	_, err = l.Append(append([]byte(nil), good...))
	require.NoError(t, err, "a refused append does not make the log refuse the next")
}

func TestReadBoundsAndBudget(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l := mustOpen(t, dir, Options{FS: fsys, SegmentBytes: 3000})
		appendN(t, l, 0, 200, 10) // batches of 10 records

		_, _, err := l.Read(nil, 201, ReadOptions{})
		var oor *OffsetOutOfRangeError
		require.ErrorAs(t, err, &oor)
		require.Equal(t, OffsetOutOfRangeError{Offset: 201, LogStart: 0, LogEnd: 200}, *oor)
		require.ErrorIs(t, err, ErrOffsetOutOfRange)
		_, _, err = l.Read(nil, -1, ReadOptions{})
		require.ErrorIs(t, err, ErrOffsetOutOfRange)

		data, info, err := l.Read(nil, 200, ReadOptions{})
		require.NoError(t, err)
		require.Empty(t, data)
		require.Equal(t, int64(200), info.NextOffset)

		// Offset 15 lies in the batch [10, 19]: the read starts there.
		data, info, err = l.Read(nil, 15, ReadOptions{MaxBytes: 1 << 20})
		require.NoError(t, err)
		require.Equal(t, int64(10), info.FirstOffset)
		require.Equal(t, len(data), info.Bytes)
		s := record.NewScanner(data, record.CheckAll)
		last := int64(-1)
		for s.Next() {
			last = s.Batch().LastOffset()
		}
		require.False(t, s.Partial(), "only whole batches")
		require.Equal(t, info.NextOffset, last+1)
		require.Less(t, last, int64(199), "one segment per read")

		one, info, err := l.Read(nil, 15, ReadOptions{MaxBytes: 1})
		require.NoError(t, err)
		require.Empty(t, one, "the first batch exceeds the budget")
		require.True(t, info.FirstBatchIncomplete, "and the read says so")
		winfo, err := l.ReadTo(io.Discard, 15, ReadOptions{MaxBytes: 1})
		require.NoError(t, err)
		require.True(t, winfo.FirstBatchIncomplete, "as does a read to a writer")
		one, info, err = l.Read(nil, 15, ReadOptions{MaxBytes: 1, MinOneBatch: true})
		require.NoError(t, err)
		require.False(t, info.FirstBatchIncomplete)
		require.Equal(t, int64(20), info.NextOffset, "one whole batch")
		b, err := record.Parse(one)
		require.NoError(t, err)
		require.Len(t, one, len(b))

		capped, info, err := l.Read(nil, 0, ReadOptions{MaxOffset: 25})
		require.NoError(t, err)
		require.Equal(t, int64(20), info.NextOffset, "the batch holding 25 stays above the bound")
		require.NotEmpty(t, capped)
		_, info, err = l.Read(nil, 20, ReadOptions{MaxOffset: 20})
		require.NoError(t, err)
		require.Zero(t, info.Bytes)
		require.False(t, info.FirstBatchIncomplete, "at the bound nothing is left out")
		_, info, err = l.Read(nil, 15, ReadOptions{MaxOffset: 18, MaxBytes: 1})
		require.NoError(t, err)
		require.False(t, info.FirstBatchIncomplete, "the batch is above the bound, not too large")
	})
}

func TestReadAtEverySegmentBoundary(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 1500})
	appendN(t, l, 0, 300, 7)
	list := l.segs.Load()
	require.Greater(t, len(list.segs), 5)
	for _, s := range list.segs {
		for _, off := range []int64{s.BaseOffset() - 1, s.BaseOffset(), s.BaseOffset() + 1} {
			if off < 0 || off >= 300 {
				continue
			}
			got := readAll(t, l, off)
			require.Equal(t, values(off, 300-off), got, "from %d", off)
		}
	}
}

func TestListOffsetByTime(t *testing.T) {
	l := mustOpen(t, t.TempDir(), Options{SegmentBytes: 2000})
	appendN(t, l, 0, 300, 10) // record i has timestamp base + 10 i
	base := int64(1_700_000_000_000)
	cases := []struct {
		ts    int64
		want  int64
		found bool
	}{
		{base - 1000, 0, true},
		{base, 0, true},
		{base + 1, 1, true},
		{base + 1234, 124, true},
		{base + 2990, 299, true},
		{base + 2991, 0, false},
	}
	for _, c := range cases {
		got, found, err := l.ListOffset(c.ts)
		require.NoError(t, err)
		require.Equal(t, c.found, found, "ts %d", c.ts)
		if c.found {
			require.Equal(t, c.want, got.Offset, "ts %d", c.ts)
			require.Equal(t, base+10*c.want, got.Timestamp, "ts %d: the record's time", c.ts)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{
		{SegmentBytes: 10},
		{SegmentBytes: 1 << 32},
		{SegmentAge: -1},
		{Flush: FlushPolicy(9)},
		{MaxBatchBytes: 5},
		{Codec: 7},
		{SegmentJitter: -1},
		{FlushRecords: -1},
		{IndexIntervalBytes: -1},
	} {
		dir := filepath.Join(t.TempDir(), "p")
		_, err := Open(dir, o)
		require.ErrorIs(t, err, ErrInvalidConfig, "%+v", o)
		_, err = os.Stat(dir)
		require.ErrorIs(t, err, os.ErrNotExist, "refused options create nothing: %+v", o)
	}
}

func TestEmptyActiveSegmentSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{SegmentBytes: 500})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	l = mustOpen(t, dir, Options{SegmentBytes: 500})
	require.Equal(t, int64(0), l.LogEndOffset())
	require.Equal(t, 1, l.NumSegments())
	appendN(t, l, 0, 5, 5)
	require.Equal(t, values(0, 5), readAll(t, l, 0))
}

func TestFlushPolicyText(t *testing.T) {
	for p := FlushNever; p <= FlushAlways; p++ {
		text, err := p.MarshalText()
		require.NoError(t, err)
		var back FlushPolicy
		require.NoError(t, back.UnmarshalText(text))
		require.Equal(t, p, back)
	}
	_, err := ParseFlushPolicy("sometimes")
	require.ErrorContains(t, err, "sometimes")
	_, err = FlushPolicy(9).MarshalText()
	require.Error(t, err)
}

func TestRoll(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		l := mustOpen(t, dir, Options{FS: fsys})
		require.NoError(t, l.Roll())
		require.Equal(t, 1, l.NumSegments(), "an empty active segment stays")
		appendN(t, l, 0, 10, 5)
		require.NoError(t, l.Roll())
		require.Equal(t, 2, l.NumSegments())
		appendN(t, l, 10, 5, 5)
		start, err := l.DeleteRecordsBefore(10)
		require.NoError(t, err)
		require.Equal(t, int64(10), start)
		require.Equal(t, 1, l.NumSegments(), "the segment before the roll went whole")
		require.NoError(t, l.Close())
		require.ErrorIs(t, l.Roll(), ErrClosed)
	})
}
