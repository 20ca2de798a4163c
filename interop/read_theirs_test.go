package interop

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/record"
)

// TestWeReadFranzGoBatches has franz-go encode and compress batches live
// and decodes the bytes the broker stored with commitlog's scanner and
// iterator, every CRC checked.
func TestWeReadFranzGoBatches(t *testing.T) {
	for _, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			topic := "theirs-" + codec.String()
			addrs, admin := startCluster(t, topic)
			kcodec := map[compress.Codec]kgo.CompressionCodec{
				compress.None: kgo.NoCompression(), compress.Gzip: kgo.GzipCompression(),
				compress.Snappy: kgo.SnappyCompression(), compress.LZ4: kgo.Lz4Compression(),
				compress.Zstd: kgo.ZstdCompression(),
			}[codec]
			cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(topic),
				kgo.ProducerBatchCompression(kcodec), kgo.ProducerLinger(time.Second))
			require.NoError(t, err)
			defer cl.Close()

			want := sampleRecords(recordsPerBatch)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for _, r := range want {
				kr := &kgo.Record{Key: r.Key, Value: r.Value, Timestamp: time.UnixMilli(r.Timestamp)}
				for _, h := range r.Headers {
					kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: string(h.Key), Value: h.Value})
				}
				cl.Produce(ctx, kr, func(_ *kgo.Record, err error) { require.NoError(t, err) })
			}
			require.NoError(t, cl.Flush(ctx))
			// franz-go sends a batch uncompressed when compressing would
			// not make it smaller, as a small one may be.
			requireDecodes(t, fetchRaw(t, admin, topic), codec, want, true)
		})
	}
}

// TestWeReadSaramaBatches does the same with sarama's producer, whose
// snappy batches use the xerial framing of the Java client.
func TestWeReadSaramaBatches(t *testing.T) {
	for _, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			topic := "theirs-" + codec.String()
			addrs, admin := startCluster(t, topic)
			cfg := sarama.NewConfig()
			cfg.Version = sarama.V3_6_0_0
			cfg.Producer.Return.Successes = true
			cfg.Producer.RequiredAcks = sarama.WaitForAll
			cfg.Producer.Compression = map[compress.Codec]sarama.CompressionCodec{
				compress.None: sarama.CompressionNone, compress.Gzip: sarama.CompressionGZIP,
				compress.Snappy: sarama.CompressionSnappy, compress.LZ4: sarama.CompressionLZ4,
				compress.Zstd: sarama.CompressionZSTD,
			}[codec]
			producer, err := sarama.NewSyncProducer(addrs, cfg)
			require.NoError(t, err)
			defer producer.Close()

			want := sampleRecords(recordsPerBatch)
			msgs := make([]*sarama.ProducerMessage, len(want))
			for i, r := range want {
				m := &sarama.ProducerMessage{Topic: topic, Partition: 0, Timestamp: time.UnixMilli(r.Timestamp)}
				if r.Key != nil {
					m.Key = sarama.ByteEncoder(r.Key)
				}
				if r.Value != nil {
					m.Value = sarama.ByteEncoder(r.Value)
				}
				for _, h := range r.Headers {
					m.Headers = append(m.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
				}
				msgs[i] = m
			}
			require.NoError(t, producer.SendMessages(msgs))
			requireDecodes(t, fetchRaw(t, admin, topic), codec, want, false)
		})
	}
}

// requireDecodes scans a stream of batches with every check on and
// compares its records with want. Every batch is compressed with codec,
// or, if uncompressedToo, some may be sent uncompressed; at least one is
// compressed.
func requireDecodes(t *testing.T, stream []byte, codec compress.Codec, want []record.Record, uncompressedToo bool) {
	t.Helper()
	require.NotEmpty(t, stream)
	s := record.NewScanner(stream, record.CheckAll)
	var it record.Iterator
	i, withCodec := 0, 0
	for s.Next() {
		b := s.Batch()
		if got := b.Attributes().Codec(); got == codec {
			withCodec++
		} else if !uncompressedToo || got != compress.None {
			require.Equal(t, codec, got)
		}
		it.Reset(b)
		for it.Next() {
			require.Less(t, i, len(want), "more records than produced")
			g, w := it.Record(), want[i]
			require.Equal(t, int64(i), g.Offset)
			require.Equal(t, w.Timestamp, g.Timestamp, "record %d timestamp", i)
			requireBytes(t, w.Key, g.Key, "record %d key", i)
			requireBytes(t, w.Value, g.Value, "record %d value", i)
			require.Len(t, g.Headers, len(w.Headers))
			for j, h := range w.Headers {
				require.Equal(t, string(h.Key), string(g.Headers[j].Key))
				requireBytes(t, h.Value, g.Headers[j].Value, "record %d header %d", i, j)
			}
			i++
		}
		require.NoError(t, it.Err())
	}
	require.NoError(t, s.Err())
	require.False(t, s.Partial())
	require.Equal(t, len(want), i)
	require.Positive(t, withCodec, "no batch was compressed with %v", codec)
}
