package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// fuzzLimit keeps decompression small so that the fuzzer spends its time on
// parsing, and so that a bomb is caught by the bound, not by the machine.
const fuzzLimit = 1 << 20

// FuzzBatch parses, validates and iterates arbitrary bytes; a batch that
// passes every check must decode to records that re-encode to an equal
// batch.
func FuzzBatch(f *testing.F) {
	for _, codec := range allCodecs {
		f.Add([]byte(buildSample(f, codec, 3)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err != nil {
			requireKnownError(t, err)
			return
		}
		if err := b.Validate(); err != nil {
			requireKnownError(t, err)
			return
		}
		var it Iterator
		it.SetMaxDecompressedSize(fuzzLimit)
		it.Reset(b)
		builder := NewBuilder()
		builder.SetCodec(b.Attributes().Codec())
		var first int64 = -1
		for it.Next() {
			r := *it.Record()
			if first < 0 {
				first = r.Offset
			}
			if r.Offset != first+int64(builder.Len()) {
				return // offset gaps cannot be rebuilt with Append
			}
			builder.Append(r)
		}
		if err := it.Err(); err != nil {
			requireKnownError(t, err)
			return
		}
		if b.Attributes().TimestampType() == LogAppendTime || builder.Len() == 0 {
			return // record timestamps were replaced by the batch's
		}
		rebuilt, err := builder.Build()
		if err != nil {
			t.Fatal(err)
		}
		var again Iterator
		again.Reset(rebuilt)
		it.Reset(b)
		for it.Next() {
			if !again.Next() {
				t.Fatalf("rebuilt batch ends early: %v", again.Err())
			}
			want, got := it.Record(), again.Record()
			if want.Timestamp != got.Timestamp || !bytes.Equal(want.Key, got.Key) || !bytes.Equal(want.Value, got.Value) ||
				(want.Key == nil) != (got.Key == nil) || (want.Value == nil) != (got.Value == nil) || len(want.Headers) != len(got.Headers) {
				t.Fatalf("record %d differs after rebuild", want.Offset)
			}
		}
	})
}

// FuzzIterator decodes arbitrary records sections without checking the
// CRC, so that the fuzzer's mutations reach the record parser.
func FuzzIterator(f *testing.F) {
	for _, codec := range allCodecs {
		f.Add([]byte(buildSample(f, codec, 4)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err != nil {
			return
		}
		var it Iterator
		it.SetMaxDecompressedSize(fuzzLimit)
		it.Reset(b)
		n := int32(0)
		for it.Next() {
			r := it.Record()
			if r.Offset < b.BaseOffset() || r.Offset > b.LastOffset() {
				t.Fatalf("offset %d outside [%d, %d]", r.Offset, b.BaseOffset(), b.LastOffset())
			}
			n++
		}
		if it.Err() == nil && n != b.RecordCount() {
			t.Fatalf("decoded %d records, header says %d", n, b.RecordCount())
		}
		if it.Err() != nil {
			requireKnownError(t, it.Err())
			return
		}
		// Skipping to the middle must land where a full decode does.
		middle := b.BaseOffset() + int64(b.LastOffsetDelta())/2
		var want []int64
		it.Reset(b)
		for it.Next() {
			if it.Record().Offset >= middle {
				want = append(want, it.Record().Offset)
			}
		}
		var skip Iterator
		skip.SetMaxDecompressedSize(fuzzLimit)
		skip.Reset(b)
		var got []int64
		if skip.SkipBefore(middle) {
			for skip.Next() {
				got = append(got, skip.Record().Offset)
			}
		}
		if skip.Err() != nil {
			t.Fatalf("skipping to %d: %v, where a full decode succeeded", middle, skip.Err())
		}
		if !slices.Equal(got, want) {
			t.Fatalf("from %d: skipping gives offsets %v, a full decode %v", middle, got, want)
		}
	})
}

// FuzzScanner walks arbitrary streams: the valid prefix must be made of
// whole batches that pass Validate, and the scan must end at the data's
// end, at a partial batch, or at an error.
func FuzzScanner(f *testing.F) {
	var seed []byte
	for _, codec := range allCodecs {
		seed = append(seed, buildSample(f, codec, 2)...)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)-7])
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewScanner(data, CheckAll)
		for s.Next() {
			if err := s.Batch().Validate(); err != nil {
				t.Fatalf("scanner yielded a batch that fails Validate: %v", err)
			}
		}
		switch {
		case s.Err() != nil:
			requireKnownError(t, s.Err())
		case s.Partial():
			if s.Valid() >= len(data) {
				t.Fatal("partial tail with nothing left over")
			}
		default:
			if s.Valid() != len(data) {
				t.Fatalf("clean end at %d of %d bytes", s.Valid(), len(data))
			}
		}
	})
}

func requireKnownError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) {
		t.Fatalf("error wraps neither ErrCorrupt nor ErrTruncated: %v", err)
	}
}

// FuzzCompressedRecords puts arbitrary bytes in a batch's records section
// under each codec, with a correct length and CRC, so that the fuzzer's
// mutations reach the gzip, snappy, lz4 and zstd decoders through the
// iterator, past the checks a corrupted file would fail.
func FuzzCompressedRecords(f *testing.F) {
	headers := make([]Batch, len(allCodecs))
	for i, codec := range allCodecs {
		sample := buildSample(f, codec, 5)
		headers[i] = sample[:recordsOffset]
		f.Add(uint8(i), []byte(sample[recordsOffset:]))
	}
	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		header := headers[int(which)%len(headers)]
		data := append(append([]byte(nil), header...), payload...)
		binary.BigEndian.PutUint32(data[lengthOffset:], uint32(len(data)-LogOverhead))
		binary.BigEndian.PutUint32(data[crcOffset:], checksum(data[attributesOffset:]))
		b, err := Parse(data)
		if err != nil {
			t.Fatalf("a batch with a correct length does not parse: %v", err)
		}
		if err := b.Validate(); err != nil {
			requireKnownError(t, err)
			return
		}
		var it Iterator
		it.SetMaxDecompressedSize(fuzzLimit)
		it.Reset(b)
		n := int32(0)
		for it.Next() {
			n++
		}
		if err := it.Err(); err != nil {
			requireKnownError(t, err)
			return
		}
		if n != b.RecordCount() {
			t.Fatalf("decoded %d records, header says %d", n, b.RecordCount())
		}
	})
}
