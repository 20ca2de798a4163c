package record

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMaxEncodedSizeBoundsTheEncoding builds records at the extremes of
// their deltas and checks that none takes more room than promised.
func TestMaxEncodedSizeBoundsTheEncoding(t *testing.T) {
	records := []Record{
		{},
		{Key: []byte("k"), Value: []byte("v")},
		{Value: bytes.Repeat([]byte("x"), 300)},
		{Key: bytes.Repeat([]byte("k"), 20000), Headers: []Header{{Key: []byte("h"), Value: nil}, {Key: []byte("h2"), Value: []byte("v")}}},
	}
	for _, r := range records {
		for _, ts := range []int64{0, 1, -1, math.MaxInt64 / 2, math.MinInt64 / 2} {
			for _, od := range []int32{0, 1, 127, math.MaxInt32} {
				got := len(appendRecord(nil, &r, ts, od))
				require.LessOrEqual(t, got, MaxEncodedSize(&r), "ts delta %d, offset delta %d", ts, od)
			}
		}
		require.Less(t, MaxEncodedSize(&r)-len(appendRecord(nil, &r, 0, 0)), 16, "a loose bound wastes batch room")
	}
}

func TestCloneOwnsItsBytes(t *testing.T) {
	buf := []byte("keyvaluehkhv")
	r := &Record{
		Offset: 9, Timestamp: 5,
		Key: buf[0:3], Value: buf[3:8],
		Headers: []Header{{Key: buf[8:10], Value: buf[10:12]}, {Key: []byte("n")}, {Key: []byte{}, Value: []byte{}}},
	}
	c := r.Clone()
	for i := range buf {
		buf[i] = 'x'
	}
	if string(c.Key) != "key" || string(c.Value) != "value" ||
		string(c.Headers[0].Key) != "hk" || string(c.Headers[0].Value) != "hv" ||
		string(c.Headers[1].Key) != "n" || c.Headers[1].Value != nil {
		t.Fatalf("clone changed with the source buffer: %+v", c)
	}
	if c.Headers[2].Key == nil || c.Headers[2].Value == nil {
		t.Fatalf("empty header fields became nil: %+v", c.Headers[2])
	}
	if c.Offset != 9 || c.Timestamp != 5 {
		t.Fatalf("clone lost its offset or timestamp: %+v", c)
	}
	// The headers slice is the clone's own too.
	r.Headers[0] = Header{Key: []byte("zz")}
	if string(c.Headers[0].Key) != "hk" {
		t.Fatalf("clone shares the headers slice: %+v", c.Headers)
	}
	// Appending to one cloned slice must not run into the next.
	c.Key = append(c.Key, '!')
	if string(c.Value) != "value" {
		t.Fatalf("appending to the key overwrote the value: %q", c.Value)
	}
	if n := (&Record{}).Clone(); n.Key != nil || n.Value != nil || n.Headers != nil {
		t.Fatalf("nil fields should stay nil: %+v", n)
	}
}

// TestIteratorReusesRecordCloneKeeps shows why Clone exists: an iterator
// over an uncompressed batch hands out one reused Record whose bytes are
// the batch's, so only clones survive the next record.
func TestIteratorReusesRecordCloneKeeps(t *testing.T) {
	b := NewBuilder()
	b.Append(Record{Key: []byte("a"), Value: []byte("one")})
	b.Append(Record{Key: []byte("b"), Value: []byte("two")})
	built, err := b.Build()
	require.NoError(t, err)
	batch := append(Batch(nil), built...)
	var raw, kept []*Record
	var it Iterator
	it.Reset(batch)
	for it.Next() {
		raw = append(raw, it.Record())
		kept = append(kept, it.Record().Clone())
	}
	require.NoError(t, it.Err())
	require.Len(t, kept, 2)
	require.Same(t, raw[0], raw[1], "the iterator should reuse its record")
	require.Equal(t, "one", string(kept[0].Value))
	require.Equal(t, "two", string(kept[1].Value))
	for i := range batch {
		batch[i] = 0
	}
	require.Equal(t, "a", string(kept[0].Key))
	require.Equal(t, "b", string(kept[1].Key))
}
