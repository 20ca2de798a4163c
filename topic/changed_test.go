package topic

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fired reports whether ch is closed.
func fired(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestRegistryChanged checks which operations close the channel of
// Registry.Changed: each change of the topics, their partition counts or
// their configurations, and Close; not a lookup, a refused operation or
// an AlterConfig that changes nothing.
func TestRegistryChanged(t *testing.T) {
	ctx := t.Context()
	_, r := memRegistry(t)
	_, err := r.Create(ctx, "orders", Config{})
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		op      func() error
		changes bool
	}{
		{"create", func() error { _, err := r.Create(ctx, "audit", Config{}); return err }, true},
		{"create if not exists, new", func() error { _, _, err := r.CreateIfNotExists(ctx, "events", Config{}); return err }, true},
		{"create if not exists, existing", func() error { _, _, err := r.CreateIfNotExists(ctx, "events", Config{}); return err }, false},
		{"create refused", func() error {
			_, err := r.Create(ctx, "orders", Config{})
			return ignore(err, ErrTopicExists)
		}, false},
		{"add partitions", func() error { return r.AddPartitions(ctx, "orders", 3) }, true},
		{"add partitions refused", func() error { return ignore(r.AddPartitions(ctx, "orders", 2), ErrInvalidConfig) }, false},
		{"alter config", func() error {
			_, err := r.AlterConfig(ctx, "orders", func(c *Config) { c.RetentionAge = time.Hour })
			return err
		}, true},
		{"alter config, no change", func() error {
			_, err := r.AlterConfig(ctx, "orders", func(c *Config) { c.RetentionAge = time.Hour })
			return err
		}, false},
		{"lookups", func() error {
			r.Topics()
			_, err := r.Describe("orders")
			return err
		}, false},
		{"delete", func() error { return r.Delete(ctx, "audit") }, true},
		{"delete refused", func() error { return ignore(r.Delete(ctx, "audit"), ErrUnknownTopic) }, false},
		{"close", r.Close, true},
	} {
		changed := r.Changed()
		require.NoError(t, tc.op(), tc.name)
		require.Equal(t, tc.changes, fired(changed), tc.name)
	}
	require.True(t, fired(r.Changed()), "closed already once the registry is")
}

// ignore returns nil if err is of kind, else err or an error saying it
// is missing.
func ignore(err, kind error) error {
	if errors.Is(err, kind) {
		return nil
	}
	if err == nil {
		return errors.New("no error, want " + kind.Error())
	}
	return err
}

// waitForTopic waits as the documentation of Registry.Changed does.
func waitForTopic(ctx context.Context, reg *Registry, name string) (*Topic, error) {
	for {
		changed := reg.Changed()
		t, err := reg.Topic(name)
		if !errors.Is(err, ErrUnknownTopic) {
			return t, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TestWaitForTopic runs waiters for a topic not yet created beside the
// operations that create it and others: each wakes with the topic, and
// waiters still sleeping when the registry closes wake with ErrClosed.
func TestWaitForTopic(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, r := memRegistry(t)

	const waiters = 8
	found := make(chan *Topic, waiters)
	errs := make(chan error, waiters)
	for range waiters {
		go func() {
			tp, err := waitForTopic(ctx, r, "late")
			found <- tp
			errs <- err
		}()
	}
	for _, name := range []string{"a", "b", "c"} {
		_, err := r.Create(ctx, name, Config{})
		require.NoError(t, err)
	}
	late, err := r.Create(ctx, "late", Config{})
	require.NoError(t, err)
	for range waiters {
		require.NoError(t, <-errs)
		require.Same(t, late, <-found)
	}

	for range waiters {
		go func() {
			_, err := waitForTopic(ctx, r, "never")
			errs <- err
		}()
	}
	require.NoError(t, r.Close())
	for range waiters {
		require.ErrorIs(t, <-errs, ErrClosed)
	}
}

// TestReadOnlyChangedAndHooks checks the hooks and Changed of a read-only
// registry: hooks register, OnDelete is never called since nothing is
// deleted, and Changed, which does not follow the writer, fires only on
// Close, before the OnClose hooks run.
func TestReadOnlyChangedAndHooks(t *testing.T) {
	ctx := t.Context()
	m, w := memRegistry(t)
	_, err := w.Create(ctx, "orders", Config{})
	require.NoError(t, err)
	ro, err := Open("/data", Options{FS: m, ReadOnly: true, RetentionCheckInterval: -1})
	require.NoError(t, err)

	var deleted []string
	_, err = ro.OnDelete(func(name string) error { deleted = append(deleted, name); return nil })
	require.NoError(t, err)
	changed := ro.Changed()
	var firedBeforeHook bool
	_, err = ro.OnClose(func() error { firedBeforeHook = fired(changed); return nil })
	require.NoError(t, err)

	require.ErrorIs(t, ro.Delete(ctx, "orders"), ErrReadOnly)
	_, err = ro.Create(ctx, "new", Config{})
	require.ErrorIs(t, err, ErrReadOnly)
	// The writer's changes are not the read-only registry's.
	require.NoError(t, w.Delete(ctx, "orders"))
	_, err = w.Create(ctx, "other", Config{})
	require.NoError(t, err)
	require.False(t, fired(changed))
	require.Empty(t, deleted)
	_, err = ro.Topic("orders")
	require.NoError(t, err, "a snapshot of the directory as Open read it")

	require.NoError(t, ro.Close())
	require.True(t, firedBeforeHook, "waiters wake before the OnClose hooks run")
	require.True(t, fired(ro.Changed()))
	require.Empty(t, deleted)
	_, err = ro.OnDelete(func(string) error { return nil })
	require.ErrorIs(t, err, ErrClosed)
}
