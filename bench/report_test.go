package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWriteReportKeepsTheText checks that a report replaces only what lies
// between the markers of the file it goes into.
func TestWriteReportKeepsTheText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "PERFORMANCE.md")
	require.NoError(t, writeReport(path, "first\n"))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, reportBegin+"first\n"+reportEnd, string(got))

	doc := "# Title\n\nintro\n\n" + reportBegin + "old table\n" + reportEnd + "\nanalysis\n"
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	require.NoError(t, writeReport(path, "new table\n"))
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "# Title\n\nintro\n\n"+reportBegin+"new table\n"+reportEnd+"\nanalysis\n", string(got))
}

// TestRatio checks the ratio's direction for figures where more is better
// and where less is.
func TestRatio(t *testing.T) {
	all := samples{}
	all.add(0, ours, map[string]float64{"rate": 300, "ms": 2})
	all.add(0, "a", map[string]float64{"rate": 100, "ms": 8})
	all.add(0, "b", map[string]float64{"rate": 150, "ms": 4})
	stores := []string{ours, "a", "b"}
	require.Equal(t, "2.00×", ratio(all, 0, metric{key: "rate", higher: true}, stores))
	require.Equal(t, "2.00×", ratio(all, 0, metric{key: "ms", higher: false}, stores))
	require.Equal(t, "—", ratio(all, 0, metric{key: "missing", higher: true}, stores))

	// Recovery figures count only peers that check their log on open.
	all.add(0, "rosedb-wal", map[string]float64{"ms": 6})
	stores = append(stores, "rosedb-wal")
	require.Equal(t, "3.00×", ratio(all, 0, metric{key: "ms", checked: true}, stores))
	require.Equal(t, `\*`, star(metric{key: "ms", checked: true}, "b"))
	require.Empty(t, star(metric{key: "ms", checked: true}, "rosedb-wal"))
	require.Empty(t, star(metric{key: "ms"}, "b"))
}

func TestMedian(t *testing.T) {
	_, ok := median(nil)
	require.False(t, ok)
	m, _ := median([]float64{5, 1, 3})
	require.Equal(t, 3.0, m)
	m, _ = median([]float64{4, 1, 3, 2})
	require.Equal(t, 2.5, m)
}
