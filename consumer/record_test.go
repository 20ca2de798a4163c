package consumer

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/commitlog-go/commitlog/record"
	"github.com/commitlog-go/commitlog/topic"
)

func TestCloneOwnsItsBytes(t *testing.T) {
	buf := []byte("keyvaluehkhv")
	r := &Record{
		Topic: "t", Partition: 2, Offset: 9, Time: time.UnixMilli(5),
		Key: buf[0:3], Value: buf[3:8],
		Headers: []record.Header{{Key: buf[8:10], Value: buf[10:12]}, {Key: []byte("n")}},
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
	if c.Topic != "t" || c.Partition != 2 || c.Offset != 9 || !c.Time.Equal(time.UnixMilli(5)) {
		t.Fatalf("clone lost its position: %+v", c)
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

// TestReaderReusesRecordCloneKeeps shows why Clone exists: a reader hands
// out one reused Record, so only clones survive the next call.
func TestReaderReusesRecordCloneKeeps(t *testing.T) {
	_, reg := memRegistry(t)
	tp, err := reg.Create(context.Background(), "t", topic.Config{Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, tp, 0, 0, 3, time.UnixMilli(0))
	r, err := NewPartitionReader(tp, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var kept []*Record
	for range 3 {
		rec, err := r.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, rec.Clone())
	}
	for i, want := range []string{"v0", "v1", "v2"} {
		if !bytes.Equal(kept[i].Value, []byte(want)) || kept[i].Offset != int64(i) {
			t.Errorf("clone %d = %q at %d, want %q at %d", i, kept[i].Value, kept[i].Offset, want, i)
		}
	}
}
