package segment

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/index"
	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/vfs"
)

// noTimestampBatch encodes one record without a timestamp at offset.
func noTimestampBatch(t *testing.T, offset int64) []byte {
	t.Helper()
	b := record.NewBuilder()
	b.SetBaseOffset(offset)
	b.Append(record.Record{Timestamp: record.NoTimestamp, Value: []byte("hello")})
	data, err := b.Build()
	require.NoError(t, err)
	return append([]byte(nil), data...)
}

// TestTruncateFullResetsCreationTime is Kafka's LogSegmentTest.testTruncateFull:
// the age of a segment whose batches carry no timestamps is counted by
// Options.Now from its creation, and from the truncation that emptied it.
func TestTruncateFullResetsCreationTime(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	clock := func() time.Time { return now }
	s := createSegment(t, vfs.NewMem(), "/", 40, Options{Now: clock})
	require.NoError(t, s.Append(noTimestampBatch(t, 41)))
	now = now.Add(500 * time.Millisecond)
	require.Equal(t, 500*time.Millisecond, s.RollAge(NoTimestamp, clock()), "aged by the segment's clock")

	require.NoError(t, s.TruncateTo(0))
	require.Zero(t, s.Size())
	require.Zero(t, s.RollAge(NoTimestamp, clock()))
	require.NoError(t, s.Append(noTimestampBatch(t, 41)))
	require.Zero(t, s.RollAge(NoTimestamp, clock()), "the truncation that emptied it is its new birth")
	now = now.Add(time.Second)
	require.Equal(t, time.Second, s.RollAge(NoTimestamp, clock()))
	room, err := s.IndexRoom()
	require.NoError(t, err)
	require.Positive(t, room, "the indexes are not full")
}

// TestOneNoTimestamp checks that the three layers mean the same thing by
// an unknown timestamp: the batch format's, which the time index's
// lookups answer with and segments report.
func TestOneNoTimestamp(t *testing.T) {
	require.Equal(t, record.NoTimestamp, int64(NoTimestamp))
	require.Equal(t, record.NoTimestamp, index.NoTimestamp)
}
