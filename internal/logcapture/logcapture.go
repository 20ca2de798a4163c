package logcapture

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// Entry is one logged line: its level, message and attributes, the
// logger's own (from With) first. Attribute values are resolved; groups
// are flattened with dotted keys.
type Entry struct {
	Level   slog.Level
	Message string
	Attrs   map[string]slog.Value
}

// Int returns the attribute key as an int64, and whether it is one.
func (e Entry) Int(key string) (int64, bool) {
	v, ok := e.Attrs[key]
	if !ok || v.Kind() != slog.KindInt64 {
		return 0, false
	}
	return v.Int64(), true
}

// String returns the attribute key formatted as text, or "" if absent.
func (e Entry) String(key string) string {
	v, ok := e.Attrs[key]
	if !ok {
		return ""
	}
	return v.String()
}

// Format renders the entry on one line, for failure messages.
func (e Entry) Format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q", e.Level, e.Message)
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, e.Attrs[k])
	}
	return b.String()
}

// Recorder keeps every entry logged through the loggers it made. It is
// safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	entries []Entry
}

// New returns a logger that records at every level, and its recorder.
func New() (*slog.Logger, *Recorder) {
	r := &Recorder{}
	return slog.New(&handler{rec: r}), r
}

// Entries returns a copy of what has been logged, oldest first.
func (r *Recorder) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.entries)
}

// Find returns the entries whose message is msg.
func (r *Recorder) Find(msg string) []Entry {
	var out []Entry
	for _, e := range r.Entries() {
		if e.Message == msg {
			out = append(out, e)
		}
	}
	return out
}

// Dump renders every entry, one per line, for failure messages.
func (r *Recorder) Dump() string {
	var b strings.Builder
	for _, e := range r.Entries() {
		b.WriteString(e.Format())
		b.WriteByte('\n')
	}
	return b.String()
}

func (r *Recorder) add(e Entry) {
	r.mu.Lock()
	r.entries = append(r.entries, e)
	r.mu.Unlock()
}

type handler struct {
	rec    *Recorder
	attrs  []slog.Attr
	prefix string
}

func (h *handler) Enabled(context.Context, slog.Level) bool { return true }

func (h *handler) Handle(_ context.Context, rec slog.Record) error {
	e := Entry{Level: rec.Level, Message: rec.Message, Attrs: map[string]slog.Value{}}
	for _, a := range h.attrs {
		flatten(e.Attrs, "", a)
	}
	rec.Attrs(func(a slog.Attr) bool {
		flatten(e.Attrs, h.prefix, a)
		return true
	})
	h.rec.add(e)
	return nil
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := *h
	out.attrs = slices.Clone(h.attrs)
	for _, a := range attrs {
		out.attrs = append(out.attrs, slog.Attr{Key: h.prefix + a.Key, Value: a.Value})
	}
	return &out
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	out := *h
	out.prefix = h.prefix + name + "."
	return &out
}

func flatten(dst map[string]slog.Value, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			flatten(dst, p, g)
		}
		return
	}
	if a.Key == "" {
		return
	}
	dst[prefix+a.Key] = v
}
