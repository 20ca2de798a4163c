package record

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/compress"
)

// The files in testdata/golden were written by two independent Kafka
// clients (see its README.md); expected.json says what each must decode
// to.
type goldenFile struct {
	Batches []goldenBatch `json:"batches"`
}

type goldenBatch struct {
	File                 string         `json:"file"`
	Codec                string         `json:"codec"`
	RecordRule           string         `json:"record_rule"`
	RecordsComplete      bool           `json:"records_complete"`
	RecordCount          int32          `json:"record_count"`
	Attributes           uint16         `json:"attributes"`
	BaseOffset           int64          `json:"base_offset"`
	BaseSequence         int32          `json:"base_sequence"`
	BaseTimestamp        int64          `json:"base_timestamp"`
	MaxTimestamp         int64          `json:"max_timestamp"`
	CRC                  uint32         `json:"crc"`
	LastOffsetDelta      int32          `json:"last_offset_delta"`
	Length               int32          `json:"length"`
	PartitionLeaderEpoch int32          `json:"partition_leader_epoch"`
	ProducerEpoch        int16          `json:"producer_epoch"`
	ProducerID           int64          `json:"producer_id"`
	Records              []goldenRecord `json:"records"`
}

type goldenRecord struct {
	Offset    int64          `json:"offset"`
	Timestamp int64          `json:"timestamp"`
	Key       *string        `json:"key"`
	Value     *string        `json:"value"`
	Headers   []goldenHeader `json:"headers"`
}

type goldenHeader struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

func (g goldenRecord) record() Record {
	r := Record{Offset: g.Offset, Timestamp: g.Timestamp, Key: bytesOf(g.Key), Value: bytesOf(g.Value)}
	for _, h := range g.Headers {
		r.Headers = append(r.Headers, Header{Key: []byte(h.Key), Value: bytesOf(h.Value)})
	}
	return r
}

func bytesOf(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

// goldenRuleRecord is record i of the generator's record rules, so that the
// batches whose expected.json lists only some records are checked whole.
func goldenRuleRecord(rule string, i int) Record {
	r := Record{Timestamp: 1_700_000_000_000 + 7*int64(i)}
	if i == 6 {
		r.Timestamp = 1_699_999_999_997
	}
	if i%4 != 0 {
		r.Key = fmt.Appendf(nil, "key-%d", i)
	}
	switch i % 5 {
	case 3:
	case 4:
		r.Value = []byte{}
	default:
		r.Value = fmt.Appendf(nil, "value-%d-abcdefghabcdefghabcdefghabcdefgh", i)
	}
	switch {
	case rule == "headers" && i%2 == 0:
		r.Headers = []Header{{[]byte("h1"), []byte("a")}, {[]byte("h-empty"), []byte{}}, {[]byte("h-null"), nil},
			{[]byte("dup"), []byte("first")}, {[]byte("dup"), []byte("second")}, {[]byte("ключ-ü"), []byte("värde-✓")}}
	case rule == "headers":
		r.Headers = []Header{{[]byte("only"), fmt.Appendf(nil, "%d", i)}}
	case i%3 == 0:
		r.Headers = []Header{{[]byte("h1"), []byte("a")}, {[]byte("h-empty"), []byte{}}}
	}
	return r
}

func loadGolden(t *testing.T) []goldenBatch {
	data, err := os.ReadFile(filepath.Join("testdata", "golden", "expected.json"))
	require.NoError(t, err)
	var g goldenFile
	require.NoError(t, json.Unmarshal(data, &g))
	require.NotEmpty(t, g.Batches)
	return g.Batches
}

func TestGoldenBatchesDecode(t *testing.T) {
	for _, g := range loadGolden(t) {
		t.Run(g.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "golden", g.File))
			require.NoError(t, err)
			b, err := Parse(data)
			require.NoError(t, err)
			require.Len(t, b, len(data))
			require.NoError(t, b.Validate())

			codec, err := compress.ParseCodec(g.Codec)
			require.NoError(t, err)
			require.Equal(t, codec, b.Attributes().Codec())
			require.Equal(t, Attributes(g.Attributes), b.Attributes())
			require.Equal(t, g.BaseOffset, b.BaseOffset())
			require.Equal(t, g.Length, b.Length())
			require.Equal(t, g.PartitionLeaderEpoch, b.PartitionLeaderEpoch())
			require.Equal(t, g.CRC, b.CRC())
			require.Equal(t, g.LastOffsetDelta, b.LastOffsetDelta())
			require.Equal(t, g.BaseTimestamp, b.BaseTimestamp())
			require.Equal(t, g.MaxTimestamp, b.MaxTimestamp())
			require.Equal(t, g.ProducerID, b.ProducerID())
			require.Equal(t, g.ProducerEpoch, b.ProducerEpoch())
			require.Equal(t, g.BaseSequence, b.BaseSequence())
			require.Equal(t, g.RecordCount, b.RecordCount())

			got := decodeAll(t, b)
			want := make([]Record, g.RecordCount)
			for i := range want {
				want[i] = goldenRuleRecord(g.RecordRule, i)
			}
			requireSameRecords(t, want, g.BaseOffset, got)
			// The records expected.json lists, independently of the rule.
			for _, gr := range g.Records {
				i := int(gr.Offset - g.BaseOffset)
				requireSameRecords(t, []Record{gr.record()}, gr.Offset, got[i:i+1])
			}
			if g.RecordsComplete {
				require.Len(t, g.Records, int(g.RecordCount))
			}
		})
	}
}

// TestGoldenBatchesReencode builds each golden batch's records again with
// our Builder. Uncompressed, the result must be the clients' bytes exactly;
// compressed, the streams may differ (encoders choose their own settings),
// so the records section must decompress to the same bytes.
func TestGoldenBatchesReencode(t *testing.T) {
	for _, g := range loadGolden(t) {
		t.Run(g.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "golden", g.File))
			require.NoError(t, err)
			theirs := Batch(data)

			builder := NewBuilder()
			builder.SetCodec(theirs.Attributes().Codec())
			builder.SetBaseOffset(theirs.BaseOffset())
			builder.SetPartitionLeaderEpoch(theirs.PartitionLeaderEpoch())
			builder.SetProducer(theirs.ProducerID(), theirs.ProducerEpoch(), theirs.BaseSequence())
			for i := range int(theirs.RecordCount()) {
				builder.Append(goldenRuleRecord(g.RecordRule, i))
			}
			ours, err := builder.Build()
			require.NoError(t, err)
			require.NoError(t, ours.Validate())

			codec := theirs.Attributes().Codec()
			if codec == compress.None {
				require.Equal(t, []byte(theirs), []byte(ours), "uncompressed batches are identical byte for byte")
				return
			}
			theirSection, err := codec.AppendDecompressed(nil, theirs.RecordsSection(), 1<<20)
			require.NoError(t, err)
			ourSection, err := codec.AppendDecompressed(nil, ours.RecordsSection(), 1<<20)
			require.NoError(t, err)
			require.Equal(t, theirSection, ourSection)
			require.Equal(t, []byte(theirs[attributesOffset:HeaderSize]), []byte(ours[attributesOffset:HeaderSize]),
				"every header field the CRC covers is the same")
		})
	}
}
