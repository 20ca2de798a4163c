package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/commitlog-go/commitlog/record"
)

// sizeValue is a flag of bytes: an integer with an optional binary suffix
// (K, KiB, M, MiB, G, GiB), or -1 where the flag allows "no limit". Zero
// means the flag was not given.
type sizeValue struct {
	n        int64
	noLimit  bool // -1 is accepted
	setLimit bool // -1 was given
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
}

func (v *sizeValue) String() string {
	if v == nil || v.n == 0 && !v.setLimit {
		return ""
	}
	if v.setLimit {
		return "-1"
	}
	return strconv.FormatInt(v.n, 10)
}

func (v *sizeValue) Set(s string) error {
	if v.noLimit && strings.TrimSpace(s) == "-1" {
		v.n, v.setLimit = -1, true
		return nil
	}
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	v.n, v.setLimit = n, false
	return nil
}

// parseSize reads a positive byte count such as 1048576, 512KiB or 1G.
func parseSize(s string) (int64, error) {
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a positive byte count (like 1048576, 512KiB or 1GiB)", s)
	}
	return n * mult, nil
}

// retentionValue is a flag of time: a Go duration (168h, 30m), or -1 (or
// "forever") to keep records forever. Zero means the flag was not given.
type retentionValue struct{ d time.Duration }

func (v *retentionValue) String() string {
	if v == nil || v.d == 0 {
		return ""
	}
	if v.d < 0 {
		return "-1"
	}
	return v.d.String()
}

func (v *retentionValue) Set(s string) error {
	switch strings.TrimSpace(s) {
	case "-1", "forever":
		v.d = -1
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is neither a positive duration (like 168h) nor -1", s)
	}
	v.d = d
	return nil
}

// timestampTypeValue is the flag of message.timestamp.type.
type timestampTypeValue struct{ t record.TimestampType }

func (v *timestampTypeValue) String() string {
	if v == nil {
		return ""
	}
	return v.t.String()
}

func (v *timestampTypeValue) Set(s string) error {
	for _, t := range []record.TimestampType{record.CreateTime, record.LogAppendTime} {
		if strings.EqualFold(s, t.String()) {
			v.t = t
			return nil
		}
	}
	return fmt.Errorf("%q is neither CreateTime nor LogAppendTime", s)
}

// formatSize writes a byte count the way a person reads it: "1 GiB",
// "1.0 MiB", "512 B".
func formatSize(n int64) string {
	units := []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.name)
			}
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d B", n)
}

// formatDuration writes a duration in days when it is whole days.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

// formatMillis writes a Kafka timestamp, milliseconds since the epoch, in
// RFC 3339 with milliseconds, UTC; "none" for record.NoTimestamp.
func formatMillis(ms int64) string {
	if ms == record.NoTimestamp {
		return "none"
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
