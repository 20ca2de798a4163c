package topic

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/internal/logcapture"
	"github.com/commitlog-go/commitlog/vfs"
	"github.com/stretchr/testify/require"
)

// TestIDText checks ID.String against Kafka's form (Uuid.toString: URL-safe
// base64, no padding) and ParseID against Uuid.fromString: both forms of
// an ID parse back to it, and nothing else parses.
func TestIDText(t *testing.T) {
	for _, tc := range []struct {
		id   ID
		text string
	}{
		{ID{}, "AAAAAAAAAAAAAAAAAAAAAA"},
		// Kafka's METADATA_TOPIC_ID, Uuid(0, 1).
		{ID{15: 1}, "AAAAAAAAAAAAAAAAAAAAAQ"},
		{ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "_____________________w"},
		{ID{0xfb, 0xef, 0xbe}, "----AAAAAAAAAAAAAAAAAA"},
	} {
		require.Equal(t, tc.text, tc.id.String())
		for _, s := range []string{tc.text, tc.text + "=="} {
			got, err := ParseID(s)
			require.NoError(t, err, s)
			require.Equal(t, tc.id, got, s)
		}
	}
	require.True(t, ID{}.IsZero())
	require.False(t, ID{15: 1}.IsZero())

	for _, bad := range []string{
		"",
		"AAAAAAAAAAAAAAAAAAAAA",                // 21 characters
		"AAAAAAAAAAAAAAAAAAAAAAA",              // 23
		"AAAAAAAAAAAAAAAAAAAAAQ=",              // one padding character
		"AAAAAAAAAAAAAAAAAAAAAAAA",             // 24 without padding
		"AAAAAAAAAAAAAAAAAAAA+Q",               // standard base64, not URL-safe
		"AAAAAAAAAAAAAAAAAAAAAR",               // bits past the 16th byte set
		"AAAAAAAAAA\nAAAAAAAAAAA",              // a newline, which Go's decoder skips
		"AAAAAAAAAAAAAAAAAAAAA\x00",            // a NUL
		"00000000-0000-0000-0000-000000000001", // a UUID's hex form
		strings.Repeat("A", 1<<20),             // long
	} {
		_, err := ParseID(bad)
		require.ErrorIs(t, err, ErrInvalidID, "%.30q", bad)
		require.Less(t, len(err.Error()), 200, "the message quotes a bounded part of the input")
	}
}

// TestIDJSON checks that an ID is its text form in JSON.
func TestIDJSON(t *testing.T) {
	id := newID()
	data, err := json.Marshal(struct{ ID ID }{id})
	require.NoError(t, err)
	require.Equal(t, `{"ID":"`+id.String()+`"}`, string(data))
	var back struct{ ID ID }
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, id, back.ID)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"ID":"nope"}`), &back), ErrInvalidID)
}

// TestNewID checks the IDs Create gives: version 4 UUIDs, as Kafka's
// Uuid.randomUuid makes, all different, none zero, none that reads as a
// command-line flag.
func TestNewID(t *testing.T) {
	seen := make(map[ID]bool)
	for range 10000 {
		id := newID()
		require.False(t, id.IsZero())
		require.Equal(t, byte(0x40), id[6]&0xf0, "version 4")
		require.Equal(t, byte(0x80), id[8]&0xc0, "variant")
		require.NotEqual(t, byte('-'), id.String()[0])
		require.False(t, seen[id], "a repeated ID")
		seen[id] = true
	}
}

// TestTopicIDs checks the lifetime of a topic's ID: given by Create, kept
// across reopening, described and listed, looked up by TopicByID, and new
// when the topic is deleted and created again under its name.
func TestTopicIDs(t *testing.T) {
	ctx := t.Context()
	m, r := memRegistry(t)
	orders, err := r.Create(ctx, "orders", Config{Partitions: 2})
	require.NoError(t, err)
	audit, err := r.Create(ctx, "audit", Config{})
	require.NoError(t, err)
	id := orders.ID()
	require.False(t, id.IsZero())
	require.NotEqual(t, id, audit.ID())
	d, err := r.Describe("orders")
	require.NoError(t, err)
	require.Equal(t, id, d.ID)
	got, err := r.TopicByID(id)
	require.NoError(t, err)
	require.Same(t, orders, got)

	// Growing and reconfiguring rewrite the metadata and keep the ID.
	require.NoError(t, r.AddPartitions(ctx, "orders", 3))
	_, err = r.AlterConfig(ctx, "orders", func(c *Config) { c.RetentionAge = -1 })
	require.NoError(t, err)
	stored, err := ListStored(m, "/data")
	require.NoError(t, err)
	require.Equal(t, []ID{audit.ID(), id}, []ID{stored[0].ID, stored[1].ID})
	require.NoError(t, r.Close())
	_, err = r.TopicByID(id)
	require.ErrorIs(t, err, ErrClosed)

	r, err = Open("/data", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r.Close()
	orders, err = r.Topic("orders")
	require.NoError(t, err)
	require.Equal(t, id, orders.ID(), "kept across reopening")
	got, err = r.TopicByID(id)
	require.NoError(t, err)
	require.Same(t, orders, got)

	require.NoError(t, r.Delete(ctx, "orders"))
	_, err = r.TopicByID(id)
	require.ErrorIs(t, err, ErrUnknownTopic)
	require.Equal(t, "topic: no topic has ID "+id.String(), err.Error())
	again, err := r.Create(ctx, "orders", Config{Partitions: 3})
	require.NoError(t, err)
	require.NotEqual(t, id, again.ID(), "a topic created again is another incarnation")
	_, err = r.TopicByID(id)
	require.ErrorIs(t, err, ErrUnknownTopic, "the old ID does not find the new topic")
	got, err = r.TopicByID(again.ID())
	require.NoError(t, err)
	require.Same(t, again, got)
	_, err = r.TopicByID(ID{})
	require.ErrorIs(t, err, ErrUnknownTopic)
}

// writeOldMetadata makes a registry in m whose topic "orders", of two
// partitions, has the metadata file testdata/<file>, written before topics
// had IDs.
func writeOldMetadata(t *testing.T, m *vfs.MemFS, file string) []byte {
	t.Helper()
	r, err := Open("/data", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "orders", Config{Partitions: 2})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	old, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	require.NoError(t, vfs.WriteFileAtomic(m, "/data/orders.topic", old))
	return old
}

// TestOldMetadataGetsAnID opens registries whose metadata files are of
// version 1, written before topics had IDs: read-only, the topic has the
// zero ID and nothing is written; writable, the topic gets an ID, its file
// is rewritten as version 2 with every setting kept, and the ID stays.
func TestOldMetadataGetsAnID(t *testing.T) {
	for file, jitter := range map[string]time.Duration{
		"orders-v1.topic":       time.Minute,
		"orders-v1-first.topic": 0, // before segment.jitter.ms was stored
	} {
		t.Run(file, func(t *testing.T) {
			m := vfs.NewMem()
			old := writeOldMetadata(t, m, file)
			want := Config{Partitions: 2, Compression: compress.Zstd, RetentionAge: 48 * time.Hour, SegmentJitter: jitter}.withDefaults()

			before := m.String()
			ro, err := Open("/data", Options{FS: m, ReadOnly: true})
			require.NoError(t, err)
			tp, err := ro.Topic("orders")
			require.NoError(t, err)
			require.True(t, tp.ID().IsZero(), "read-only: no ID")
			require.Equal(t, want, tp.Config())
			_, err = ro.TopicByID(ID{})
			require.ErrorIs(t, err, ErrUnknownTopic)
			require.NoError(t, ro.Close())
			require.Equal(t, before, m.String(), "read-only: nothing written")
			stored, err := ListStored(m, "/data")
			require.NoError(t, err)
			require.True(t, stored[0].ID.IsZero())

			logger, rec := logcapture.New()
			r, err := Open("/data", Options{FS: m, RetentionCheckInterval: -1, Logger: logger})
			require.NoError(t, err)
			tp, err = r.Topic("orders")
			require.NoError(t, err)
			id := tp.ID()
			require.False(t, id.IsZero())
			require.Equal(t, want, tp.Config())
			got, err := r.TopicByID(id)
			require.NoError(t, err)
			require.Same(t, tp, got)
			es := rec.Find("topic id assigned")
			require.Len(t, es, 1, rec.Dump())
			require.Equal(t, slog.LevelInfo, es[0].Level)
			require.Equal(t, "orders", es[0].String("topic"))
			require.Equal(t, id.String(), es[0].String("topic_id"))
			require.NoError(t, r.Close())

			data, err := vfs.ReadFile(m, "/data/orders.topic", maxMetadataSize)
			require.NoError(t, err)
			var oldDoc, newDoc map[string]any
			require.NoError(t, json.Unmarshal(old, &oldDoc))
			require.NoError(t, json.Unmarshal(data, &newDoc))
			require.Equal(t, float64(2), newDoc["version"])
			require.Equal(t, id.String(), newDoc["topic_id"])
			oldDoc["version"], oldDoc["topic_id"] = newDoc["version"], newDoc["topic_id"]
			if jitter == 0 {
				oldDoc["config"].(map[string]any)["segment.jitter.ms"] = float64(0)
			}
			require.Equal(t, oldDoc, newDoc, "every other setting as it was")

			for _, readOnly := range []bool{false, true} {
				r, err := Open("/data", Options{FS: m, RetentionCheckInterval: -1, ReadOnly: readOnly, Logger: logger})
				require.NoError(t, err)
				tp, err := r.Topic("orders")
				require.NoError(t, err)
				require.Equal(t, id, tp.ID(), "the ID stays (read-only %t)", readOnly)
				require.NoError(t, r.Close())
			}
			require.Len(t, rec.Find("topic id assigned"), 1, "given once")
		})
	}
}

// TestOldMetadataIDCrash takes a crash clone before every write of the
// Open that gives an old topic its ID, and fails each of those writes in
// turn: every clone, and the directory after every failed Open, holds the
// old file or the new one whole, and opens to a topic with an ID and its
// settings.
func TestOldMetadataIDCrash(t *testing.T) {
	m := vfs.NewMem()
	writeOldMetadata(t, m, "orders-v1.topic")
	want := Config{Partitions: 2, Compression: compress.Zstd, RetentionAge: 48 * time.Hour, SegmentJitter: time.Minute}.withDefaults()
	check := func(t *testing.T, fsys vfs.FS, what string, final ID) {
		t.Helper()
		stored, err := ListStored(fsys, "/data")
		require.NoError(t, err, what)
		require.Len(t, stored, 1, what)
		require.NoError(t, stored[0].Err, what)
		require.True(t, stored[0].ID.IsZero() || final.IsZero() || stored[0].ID == final, what)
		r, err := Open("/data", Options{FS: fsys, RetentionCheckInterval: -1})
		require.NoError(t, err, what)
		defer r.Close()
		tp, err := r.Topic("orders")
		require.NoError(t, err, what)
		require.False(t, tp.ID().IsZero(), what)
		require.Equal(t, want, tp.Config(), what)
		if !stored[0].ID.IsZero() {
			require.Equal(t, stored[0].ID, tp.ID(), what)
		}
	}

	// The metadata file's writes, and the syncs of the directory that
	// make its replacement durable.
	match := func(op vfs.Op) bool {
		return mutates(op.Kind) && (strings.HasPrefix(op.Path, "/data/orders.topic") || op.Path == "/data")
	}

	var crashes []*vfs.MemFS
	var mu sync.Mutex // partitions open in parallel
	rng := rand.New(rand.NewPCG(3, 4))
	base := m.CrashClone(vfs.CrashOptions{})
	hooked := vfs.Hook(base, func(op vfs.Op) error {
		if match(op) {
			mu.Lock()
			crashes = append(crashes, base.CrashClone(vfs.CrashOptions{}), base.CrashClone(vfs.CrashOptions{Rand: rng}))
			mu.Unlock()
		}
		return nil
	})
	r, err := Open("/data", Options{FS: hooked, RetentionCheckInterval: -1})
	require.NoError(t, err)
	tp, err := r.Topic("orders")
	require.NoError(t, err)
	final := tp.ID()
	crashes = append(crashes, base.CrashClone(vfs.CrashOptions{}))
	require.NoError(t, r.Close())
	sawOld, sawNew := false, false
	for i, c := range crashes {
		stored, err := ListStored(c, "/data")
		require.NoError(t, err)
		require.Len(t, stored, 1)
		sawOld = sawOld || stored[0].ID.IsZero()
		sawNew = sawNew || stored[0].ID == final
		check(t, c, fmt.Sprintf("crash %d", i), final)
	}
	require.True(t, sawOld && sawNew, "crashes show both files (%d clones)", len(crashes))

	for i := 0; ; i++ {
		c := m.CrashClone(vfs.CrashOptions{})
		ffs := vfs.NewFaultFS(c, vfs.FaultPlan{FailAt: i, Match: match})
		r, err := Open("/data", Options{FS: ffs, RetentionCheckInterval: -1})
		if !ffs.Fired() {
			require.NoError(t, err)
			require.NoError(t, r.Close())
			require.Greater(t, i, 0)
			break
		}
		if err == nil {
			// The failure came after the point where the new file was
			// in place (removing a temporary file, say).
			require.NoError(t, r.Close())
		}
		check(t, c, fmt.Sprintf("failure %d: %v", i, err), ID{})
	}
}

// TestDuplicateTopicIDsAreRefused checks that Open refuses a directory in
// which two topics claim one ID, as a metadata file copied and renamed by
// hand would: state kept by ID could not tell them apart.
func TestDuplicateTopicIDsAreRefused(t *testing.T) {
	m, r := memRegistry(t)
	a, err := r.Create(t.Context(), "a", Config{})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "b", Config{})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, writeMetadata(m, "/data", newMetadata("b", stateReady, a.ID(), Config{}.withDefaults())))
	for _, readOnly := range []bool{false, true} {
		_, err = Open("/data", Options{FS: m, ReadOnly: readOnly})
		var me *MetadataError
		require.ErrorAs(t, err, &me)
		require.ErrorIs(t, err, ErrBadMetadata)
		require.Equal(t, "/data/b.topic", me.Path)
		require.Contains(t, err.Error(), `topic ID `+a.ID().String()+` is also that of "a"`)
	}
}

// TestMetadataVersions checks what each version must say of the ID:
// version 1 has none, version 2 one that is not zero, and no other version
// is read.
func TestMetadataVersions(t *testing.T) {
	good := newMetadata("t", stateReady, newID(), Config{}.withDefaults())
	encode := func(m metadata) []byte {
		data, err := json.Marshal(m)
		require.NoError(t, err)
		return data
	}
	_, _, err := parseMetadata(encode(good), "t")
	require.NoError(t, err)

	v1 := good
	v1.Version, v1.ID = 1, ID{}
	m, _, err := parseMetadata(encode(v1), "t")
	require.NoError(t, err)
	require.True(t, m.ID.IsZero())

	for name, tc := range map[string]struct {
		edit func(*metadata)
		msg  string
	}{
		"version 1 with an ID":  {func(m *metadata) { m.Version = 1 }, "version 1 has no topic_id"},
		"version 2 without one": {func(m *metadata) { m.ID = ID{} }, "version 2 without a topic_id"},
		"version 3":             {func(m *metadata) { m.Version = 3 }, "version 3, want 1 or 2"},
		"version 0":             {func(m *metadata) { m.Version = 0 }, "version 0, want 1 or 2"},
	} {
		t.Run(name, func(t *testing.T) {
			m := good
			tc.edit(&m)
			_, _, err := parseMetadata(encode(m), "t")
			require.ErrorContains(t, err, tc.msg)
		})
	}
	bad := strings.Replace(string(encode(good)), good.ID.String(), "not-an-id", 1)
	_, _, err = parseMetadata([]byte(bad), "t")
	require.ErrorIs(t, err, ErrInvalidID)
}
