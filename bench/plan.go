package main

import (
	"fmt"
	"os"
	"slices"
)

// plan is one invocation: which workloads on which stores, how often.
type plan struct {
	stores    []string
	workloads []int // indexes into workloads
	runs      int
	quick     bool
	dir       string
	sizes     sizes
}

// samples are the figures of every run, by workload, store and metric.
type samples map[int]map[string]map[string][]float64

func (s samples) add(wl int, store string, metrics map[string]float64) {
	if s[wl] == nil {
		s[wl] = map[string]map[string][]float64{}
	}
	if s[wl][store] == nil {
		s[wl][store] = map[string][]float64{}
	}
	for k, v := range metrics {
		s[wl][store][k] = append(s[wl][store][k], v)
	}
}

// machineWorkload is the key of the machine's own figures in samples.
const machineWorkload = -1

// run runs the plan: runs rounds, each of every workload on every store
// in turn, so that a change in the machine's load during the run falls
// on every store alike rather than on one.
func (p plan) run() (string, error) {
	all := samples{}
	for run := range p.runs {
		m, err := p.inDir(func(dir string) (map[string]float64, error) {
			return execChild("machine", "", 0, dir, p.quick)
		})
		if err != nil {
			return "", err
		}
		all.add(machineWorkload, "", m)
		for _, wl := range p.workloads {
			w := workloads[wl]
			for _, name := range p.stores {
				k, _ := lookupStore(name)
				if w.codec != "" && !k.compresses {
					continue
				}
				got, err := p.inDir(func(dir string) (map[string]float64, error) {
					merged := map[string]float64{}
					for _, phase := range w.phases {
						m, err := execChild(phase, name, wl, dir, p.quick)
						if err != nil {
							return nil, err
						}
						for k, v := range m {
							merged[k] = v
						}
					}
					return merged, nil
				})
				if err != nil {
					return "", fmt.Errorf("workload %s: %w", w.id, err)
				}
				all.add(wl, name, got)
				fmt.Fprintf(os.Stderr, "run %d/%d  %-3s %-12s %s\n", run+1, p.runs, w.id, name, formatMetrics(w, got))
			}
		}
	}
	return p.report(all), nil
}

// inDir calls f with a fresh directory, removed afterwards.
func (p plan) inDir(f func(dir string) (map[string]float64, error)) (map[string]float64, error) {
	dir, err := os.MkdirTemp(p.dir, "bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	return f(dir)
}

func formatMetrics(w workload, m map[string]float64) string {
	var s string
	for _, mt := range w.metrics {
		s += fmt.Sprintf("  %s %s", format(m[mt.key]), mt.unit)
	}
	return s
}

// median returns the median of xs (the mean of the middle two for an even
// count), or NaN for none.
func median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// format prints a figure with three significant digits, with k and M for
// thousands and millions.
func format(v float64) string {
	switch {
	case v >= 10e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 100e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 10e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}
