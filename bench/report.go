package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// report renders the medians as markdown: the workloads table, the
// machine's limits, what each peer does less, and how the figures were
// made.
func (p plan) report(all samples) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	mode := ""
	if p.quick {
		mode = " -quick"
	}
	w("Made by `cd bench && go run .%s -runs %d` on %s: %s.\n", mode, p.runs, time.Now().UTC().Format("2006-01-02"), machineDescription())
	w("Each figure is the median of %d runs; each workload ran on each store in fresh processes, the stores one after the other within each run.\n\n", p.runs)

	w("| | workload | figure |")
	for _, s := range p.stores {
		w(" %s |", s)
	}
	w(" %s ÷ best peer |\n|---|---|---|", ours)
	for range p.stores {
		w("---:|")
	}
	w("---:|\n")
	for _, wl := range p.workloads {
		wk := workloads[wl]
		for i, mt := range wk.metrics {
			id, title := wk.id, wk.title
			if i > 0 {
				id, title = "", ""
			}
			w("| %s | %s | %s |", id, title, mt.unit)
			for _, s := range p.stores {
				if v, ok := median(all[wl][s][mt.key]); ok {
					w(" %s%s |", format(v), star(mt, s))
				} else {
					w(" — |")
				}
			}
			w(" %s |\n", ratio(all, wl, mt, p.stores))
		}
	}
	w("\nA ratio above 1 means commitlog does better: for figures where lower is better it is the best peer's figure divided by commitlog's. — : the store cannot do this (it has no compression). \\*: the store does not read and check what it wrote when it opens after a crash, so its recovery figure is not recovery; the ratio leaves it out.\n\n")

	w("The machine's own limits, measured by the same program:\n\n| limit | median |\n|---|---:|\n")
	for _, mt := range machineMetrics {
		v, _ := median(all[machineWorkload][""][mt.key])
		w("| %s | %s |\n", mt.key, format(v))
	}
	w("\n")
	for _, line := range p.bounds(all) {
		w("- %s\n", line)
	}

	w("\nThe stores:\n\n")
	for _, s := range p.stores {
		k, _ := lookupStore(s)
		w("- **%s** (%s)", s, k.version)
		if k.notes != "" {
			w(": %s", k.notes)
		}
		w("\n")
	}
	return b.String()
}

// ratio is commitlog's figure over the best peer's, inverted where lower
// is better, so that above 1 always means commitlog leads.
func ratio(all samples, wl int, mt metric, stores []string) string {
	mine, ok := median(all[wl][ours][mt.key])
	if !ok {
		return "—"
	}
	best, found := 0.0, false
	for _, s := range stores {
		if s == ours || star(mt, s) != "" {
			continue
		}
		v, ok := median(all[wl][s][mt.key])
		if !ok {
			continue
		}
		if !found || (mt.higher && v > best) || (!mt.higher && v < best) {
			best, found = v, true
		}
	}
	if !found || mine == 0 || best == 0 {
		return "—"
	}
	r := mine / best
	if !mt.higher {
		r = best / mine
	}
	return fmt.Sprintf("%.2f×", r)
}

// machineDescription names the CPU, its cores, the memory, the kernel and
// the Go version.
func machineDescription() string {
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimLeft(name, " \t:"))
				break
			}
		}
	}
	desc := fmt.Sprintf("%s, %d cores", cpu, runtime.NumCPU())
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		desc += fmt.Sprintf(", %d GiB", uint64(si.Totalram)*uint64(si.Unit)>>30)
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		desc += ", Linux " + unix.ByteSliceToString(u.Release[:])
	}
	return desc + ", " + runtime.Version()
}

// bounds compares commitlog's figures with what the machine's limits
// allow for the same work.
func (p plan) bounds(all samples) []string {
	machine := func(key string) (float64, bool) { return median(all[machineWorkload][""][key]) }
	mine := func(key string) (float64, bool) {
		for _, wl := range p.workloads {
			if v, ok := median(all[wl][ours][key]); ok {
				return v, true
			}
		}
		return 0, false
	}
	var lines []string
	if write, ok := machine("10 KB append µs"); ok {
		if got, ok := mine("append records/s"); ok {
			most := batchLen / write * 1e6
			line := fmt.Sprintf("(a): one 10 KB write extending a file takes %s µs, so appending batches of %d records with one write each tops out at %s records/s; commitlog reaches %.0f%% of that.",
				format(write), batchLen, format(most), got/most*100)
			if over, ok := machine("10 KB overwrite µs"); ok {
				line += fmt.Sprintf(" The same write over pages already in the page cache takes %s µs: the rest of an extending write is the kernel taking fresh pages for the file.", format(over))
			}
			lines = append(lines, line)
		}
	}
	if sync, ok := machine("10 KB append + fdatasync µs"); ok {
		if batch, ok := mine("batch µs"); ok {
			lines = append(lines, fmt.Sprintf("(b): commitlog's synced batch takes %s µs against a bare write and fdatasync of 10 KB's %s µs: %+.0f%%.",
				format(batch), format(sync), (batch/sync-1)*100))
		}
		if got, ok := mine("durable records/s"); ok {
			most := durableGoroutines / sync * 1e6
			lines = append(lines, fmt.Sprintf("(c): %d callers that each wait for their record to be durable can at best share one fdatasync among all of them: %s records/s; commitlog reaches %.0f%% of that.",
				durableGoroutines, format(most), got/most*100))
		}
	}
	return lines
}

// star marks a peer's figure that the ratio leaves out: a recovery figure
// of a store that checks nothing when it opens after a crash.
func star(mt metric, store string) string {
	k, _ := lookupStore(store)
	if mt.checked && store != ours && !k.checksOnOpen {
		return "\\*"
	}
	return ""
}
