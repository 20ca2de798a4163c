package interop

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

const recordsPerBatch = 40

// TestFranzGoConsumesOurBatches produces batches encoded by commitlog, byte
// for byte, and consumes them with franz-go, which checks each batch's CRC,
// decompresses it and decodes its records with its own code.
func TestFranzGoConsumesOurBatches(t *testing.T) {
	for _, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			topic := "ours-" + codec.String()
			addrs, admin := startCluster(t, topic)
			want := sampleRecords(recordsPerBatch)
			batch, err := buildBatch(codec, want)
			require.NoError(t, err)
			produceRaw(t, admin, topic, batch)

			cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic),
				kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			require.NoError(t, err)
			defer cl.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var got []*kgo.Record
			for len(got) < len(want) {
				fetches := cl.PollFetches(ctx)
				require.NoError(t, ctx.Err(), "timed out with %d of %d records", len(got), len(want))
				for _, fe := range fetches.Errors() {
					require.NoError(t, fe.Err, "franz-go refused our batch")
				}
				got = append(got, fetches.Records()...)
			}
			require.Len(t, got, len(want))
			for i, w := range want {
				g := got[i]
				require.Equal(t, int64(i), g.Offset)
				require.Equal(t, w.Timestamp, g.Timestamp.UnixMilli(), "record %d timestamp", i)
				requireBytes(t, w.Key, g.Key, "record %d key", i)
				requireBytes(t, w.Value, g.Value, "record %d value", i)
				require.Len(t, g.Headers, len(w.Headers))
				for j, h := range w.Headers {
					require.Equal(t, string(h.Key), g.Headers[j].Key)
					requireBytes(t, h.Value, g.Headers[j].Value, "record %d header %d", i, j)
				}
			}
		})
	}
}

// TestSaramaConsumesOurBatches does the same with sarama's consumer.
func TestSaramaConsumesOurBatches(t *testing.T) {
	for _, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			topic := "ours-" + codec.String()
			addrs, admin := startCluster(t, topic)
			want := sampleRecords(recordsPerBatch)
			batch, err := buildBatch(codec, want)
			require.NoError(t, err)
			produceRaw(t, admin, topic, batch)

			cfg := sarama.NewConfig()
			cfg.Version = sarama.V3_6_0_0
			consumer, err := sarama.NewConsumer(addrs, cfg)
			require.NoError(t, err)
			defer consumer.Close()
			pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
			require.NoError(t, err)
			defer pc.Close()

			timeout := time.After(20 * time.Second)
			for i, w := range want {
				var g *sarama.ConsumerMessage
				select {
				case g = <-pc.Messages():
				case cerr := <-pc.Errors():
					t.Fatalf("sarama refused our batch: %v", cerr)
				case <-timeout:
					t.Fatalf("timed out at record %d", i)
				}
				require.Equal(t, int64(i), g.Offset)
				require.Equal(t, w.Timestamp, g.Timestamp.UnixMilli(), "record %d timestamp", i)
				requireBytes(t, w.Key, g.Key, "record %d key", i)
				requireBytes(t, w.Value, g.Value, "record %d value", i)
				require.Len(t, g.Headers, len(w.Headers))
				for j, h := range w.Headers {
					require.Equal(t, string(h.Key), string(g.Headers[j].Key))
					requireBytes(t, h.Value, g.Headers[j].Value, "record %d header %d", i, j)
				}
			}
		})
	}
}

// requireBytes compares contents, and nil-ness as far as the client keeps
// it: a nil we wrote must come back nil, since that is a null in the
// format, which both clients report as nil.
func requireBytes(t *testing.T, want, got []byte, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, string(want), string(got), msgAndArgs...)
	if want == nil {
		require.Nil(t, got, msgAndArgs...)
	}
}
