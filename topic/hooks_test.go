package topic

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHooks(t *testing.T) {
	m, r := memRegistry(t)
	_, err := r.Create(t.Context(), "a", Config{})
	require.NoError(t, err)
	_, err = r.Create(t.Context(), "b", Config{})
	require.NoError(t, err)

	var deleted []string
	_, err = r.OnDelete(func(name string) error {
		// Before the files go: the metadata is still there.
		_, serr := m.Stat("/data/" + name + metadataExt)
		require.NoError(t, serr)
		deleted = append(deleted, name)
		return nil
	})
	require.NoError(t, err)
	boom := errors.New("boom")
	unregister, err := r.OnDelete(func(string) error { return boom })
	require.NoError(t, err)
	require.ErrorIs(t, r.Delete(t.Context(), "a"), boom)
	require.Equal(t, []string{"a"}, deleted, "hooks run oldest first")
	_, err = r.Topic("a")
	require.ErrorIs(t, err, ErrUnknownTopic, "the topic is gone even so")
	unregister()
	require.NoError(t, r.Delete(t.Context(), "b"))
	require.Equal(t, []string{"a", "b"}, deleted)

	var closed []int
	for i := range 3 {
		_, err := r.OnClose(func() error { closed = append(closed, i); return nil })
		require.NoError(t, err)
	}
	drop, err := r.OnClose(func() error { closed = append(closed, 99); return nil })
	require.NoError(t, err)
	drop()
	_, err = r.OnClose(func() error { return boom })
	require.NoError(t, err)
	require.ErrorIs(t, r.Close(), boom, "a hook's error is Close's")
	require.Equal(t, []int{2, 1, 0}, closed, "newest first, each once, unregistered ones not at all")
	require.NoError(t, r.Close())
	require.Equal(t, []int{2, 1, 0}, closed)
	_, err = r.OnClose(func() error { return nil })
	require.ErrorIs(t, err, ErrClosed)
	_, err = r.OnDelete(func(string) error { return nil })
	require.ErrorIs(t, err, ErrClosed)

	// The next Open finishes the deletion the failing hook stopped.
	r2, err := Open("/data", Options{FS: m, RetentionCheckInterval: -1})
	require.NoError(t, err)
	defer r2.Close()
	require.Empty(t, r2.Topics())
}
