// Command bench runs the same workloads against commitlog and against
// other Go logs, each workload and store in processes of its own, and
// prints a markdown table of the medians with commitlog's ratio to the
// best peer.
//
//	go run . [-quick] [-runs 3] [-out ../docs/PERFORMANCE.md] [-stores a,b] [-only regexp]
//
// -quick shrinks every workload so that the whole run takes well under a
// minute: it proves the harness and the adapters still work, its figures
// mean little.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

func main() {
	var (
		quick   = flag.Bool("quick", false, "run every workload small, once")
		runs    = flag.Int("runs", 3, "runs of each workload; the table shows medians")
		out     = flag.String("out", "", "also write the report to this file")
		stores  = flag.String("stores", "", "comma-separated stores to run (default all)")
		only    = flag.String("only", "", "run only workloads whose id or title matches this regexp")
		tmp     = flag.String("dir", os.TempDir(), "where the logs are written")
		child   = flag.String("child", "", "internal: run this phase and print its result")
		store   = flag.String("store", "", "internal: the child's store")
		wl      = flag.Int("workload", -1, "internal: the child's workload")
		workDir = flag.String("workdir", "", "internal: the child's directory")
	)
	flag.StringVar(&profileDir, "cpuprofile", "", "write each phase's CPU profile to this directory, as store-phase.pprof (the last run's)")
	flag.Parse()
	sz := fullSizes
	if *quick {
		sz = quickSizes
	}
	if *child != "" {
		os.Exit(runChild(*child, *store, *wl, *workDir, sz))
	}
	if *quick && !flagSet("runs") {
		*runs = 1
	}
	names := storeNames()
	if *stores != "" {
		names = strings.Split(*stores, ",")
		for _, n := range names {
			if _, err := lookupStore(n); err != nil {
				fatal(err)
			}
		}
	}
	var match *regexp.Regexp
	if *only != "" {
		var err error
		if match, err = regexp.Compile(*only); err != nil {
			fatal(err)
		}
	}
	p := plan{stores: names, runs: *runs, quick: *quick, dir: *tmp, sizes: sz}
	for i, w := range workloads {
		if match == nil || match.MatchString(w.id+" "+w.title) {
			p.workloads = append(p.workloads, i)
		}
	}
	report, err := p.run()
	if err != nil {
		fatal(err)
	}
	fmt.Print(report)
	if *out != "" {
		if err := writeReport(*out, report); err != nil {
			fatal(err)
		}
	}
}

// The report goes between these lines of the -out file, so that the text
// around it stays; a file without them is replaced whole.
const (
	reportBegin = "<!-- bench:begin -->\n"
	reportEnd   = "<!-- bench:end -->\n"
)

// writeReport puts report into the file at path, between its markers.
func writeReport(path, report string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := reportBegin + report + reportEnd
	before, rest, found := strings.Cut(string(old), reportBegin)
	if found {
		if _, after, ok := strings.Cut(rest, reportEnd); ok {
			doc = before + doc + after
		}
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// childOutput is what a child prints on its last line of standard output.
type childOutput struct {
	Metrics map[string]float64 `json:"metrics"`
	Error   string             `json:"error,omitempty"`
}

// runChild runs one phase in this process and prints its result; a
// phase that simulates a crash exits without closing anything.
func runChild(phase, storeName string, wl int, dir string, sz sizes) int {
	var (
		res result
		err error
	)
	if phase == "machine" {
		res, err = measureMachine(dir, sz)
	} else if wl < 0 || wl >= len(workloads) {
		err = fmt.Errorf("no workload %d", wl)
	} else {
		var k storeKind
		if k, err = lookupStore(storeName); err == nil {
			var stop func() error
			if stop, err = startProfile(storeName, phase); err == nil {
				res, err = runPhase(k, workloads[wl], phase, dir, sz)
				err = errors.Join(err, stop())
			}
		}
	}
	o := childOutput{Metrics: res.metrics}
	if err != nil {
		o.Error = err.Error()
	}
	line, _ := json.Marshal(o)
	fmt.Printf("%s\n", line)
	return 0
}

// execChild runs phase in a child process and returns what it measured.
func execChild(phase, storeName string, wl int, dir string, quick bool) (map[string]float64, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-child", phase, "-store", storeName, "-workload", fmt.Sprint(wl), "-workdir", dir}
	if quick {
		args = append(args, "-quick")
	}
	if profileDir != "" {
		args = append(args, "-cpuprofile", profileDir)
	}
	cmd := exec.Command(self, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", storeName, phase, err)
	}
	out := bytes.TrimSpace(stdout.Bytes())
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	var o childOutput
	if err := json.Unmarshal(out, &o); err != nil {
		return nil, fmt.Errorf("%s %s: child printed %q: %w", storeName, phase, out, err)
	}
	if o.Error != "" {
		return nil, fmt.Errorf("%s %s: %s", storeName, phase, o.Error)
	}
	return o.Metrics, nil
}
