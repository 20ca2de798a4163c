package record_test

import (
	"fmt"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/record"
)

func Example() {
	b := record.NewBuilder()
	b.SetCodec(compress.Zstd)
	b.Append(record.Record{Timestamp: 1700000000000, Key: []byte("user-1"), Value: []byte("signed up")})
	b.Append(record.Record{Timestamp: 1700000000005, Key: []byte("user-1"), Value: nil}) // a tombstone
	batch, err := b.Build()
	if err != nil {
		panic(err)
	}

	// A log stamps the offset and leader epoch on append; the CRC does
	// not cover them.
	batch.SetBaseOffset(41)
	batch.SetPartitionLeaderEpoch(3)
	if err := batch.Validate(); err != nil {
		panic(err)
	}

	var it record.Iterator
	it.Reset(batch)
	for it.Next() {
		r := it.Record()
		fmt.Printf("offset %d key %s value %q tombstone %v\n", r.Offset, r.Key, r.Value, r.Value == nil)
	}
	if err := it.Err(); err != nil {
		panic(err)
	}
	// Output:
	// offset 41 key user-1 value "signed up" tombstone false
	// offset 42 key user-1 value "" tombstone true
}

func ExampleScanner() {
	var stream []byte
	b := record.NewBuilder()
	for i := range 3 {
		b.Reset()
		b.SetBaseOffset(int64(i * 10))
		b.Append(record.Record{Value: []byte("v")})
		batch, _ := b.Build()
		stream = append(stream, batch...)
	}
	torn := stream[:len(stream)-5] // a write cut short by a crash

	s := record.NewScanner(torn, record.CheckAll)
	for s.Next() {
		fmt.Println("batch at offset", s.Batch().BaseOffset())
	}
	fmt.Println("valid bytes:", s.Valid(), "of", len(torn), "partial:", s.Partial(), "err:", s.Err())
	// Output:
	// batch at offset 0
	// batch at offset 10
	// valid bytes: 138 of 202 partial: true err: <nil>
}

func ExampleRecord_Clone() {
	b := record.NewBuilder()
	b.Append(record.Record{Value: []byte("first")})
	b.Append(record.Record{Value: []byte("second")})
	batch, err := b.Build()
	if err != nil {
		panic(err)
	}

	// The iterator reuses one Record: keep clones, not the pointers it
	// returns.
	var kept []*record.Record
	var it record.Iterator
	it.Reset(batch)
	for it.Next() {
		kept = append(kept, it.Record().Clone())
	}
	for _, r := range kept {
		fmt.Printf("%d %s\n", r.Offset, r.Value)
	}
	// Output:
	// 0 first
	// 1 second
}
