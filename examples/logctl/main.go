// Command logctl is commitlog from a shell: it creates, lists, describes and
// deletes the topics of a registry directory, produces lines of standard
// input as records, consumes records as lines, alone or as a member of a
// consumer group that commits its offsets, shows the groups and their lag,
// dumps the batches of a segment file and verifies every checksum of a
// registry.
//
//	logctl [-dir DIR] topics create NAME [-partitions N] [-retention 168h] [-retention-bytes N]
//	                                     [-segment-bytes N] [-compression zstd] [-sync always] ...
//	logctl [-dir DIR] topics list
//	logctl [-dir DIR] topics describe [NAME]
//	logctl [-dir DIR] topics alter NAME [-set KEY=VALUE[,...]]... [-delete KEY[,...]]...
//	logctl [-dir DIR] topics delete NAME
//	logctl [-dir DIR] produce -topic NAME [-key-separator :] [-partition P] [-report] [-sync always]
//	logctl [-dir DIR] consume -topic NAME [-from-beginning | -offset N -partition P] [-max N]
//	                                      [-timeout 5s] [-print-key] [-print-offset]
//	logctl [-dir DIR] consume -topic NAME -group G [-from-beginning] [-max N] [-timeout 5s] ...
//	logctl [-dir DIR] groups list
//	logctl [-dir DIR] groups describe G
//	logctl dump FILE...
//	logctl [-dir DIR] verify [-deep] [NAME]
//
// The registry directory is -dir, else $LOGCTL_DIR, else ./data. Flags may
// come before or after a command's arguments, and -dir after the command
// too. `logctl -h` and `logctl COMMAND -h` document every flag.
//
// A registry is open for writing in one process at a time: topics create,
// alter and delete, produce and consume -group hold its lock while they
// run, so a group has one member at a time: the consume -group running.
// topics list, topics describe, consume without -group, groups list and
// groups describe write nothing and take no lock: they read the registry
// (and the committed offsets) as they are when they start, beside a
// produce or a consume -group running in another process. dump and verify
// take no lock either: they read the files directly, and work on a copy of
// a registry as well.
//
// produce and consume print a line of progress a second on stderr when it
// is a terminal, and a line with the totals and rates when they end.
//
// Exit status: 0 on success (and when consume ends on -max, -timeout or a
// signal), 1 on a failure or when dump or verify find damage, 2 on a usage
// error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command runs with: its streams and the registry
// directory.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dir            string
}

// defaultDir is the registry directory when -dir is not given.
func defaultDir() string {
	if d := os.Getenv("LOGCTL_DIR"); d != "" {
		return d
	}
	return "./data"
}

// run runs the command args name and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	err := e.dispatch(args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "logctl: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) && ue.usage != nil {
		fmt.Fprintln(stderr)
		ue.usage(stderr)
		return 2
	}
	if errors.As(err, &ue) {
		cmd := "logctl -h"
		if ue.cmd != "" {
			cmd = "logctl " + ue.cmd + " -h"
		}
		fmt.Fprintf(stderr, "Run '%s' for usage.\n", cmd)
		return 2
	}
	return 1
}

// usage writes the top-level usage to w.
func (e *env) usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `logctl manages a commitlog registry: a directory of topics, each a set of
partitions of segment files in Kafka's formats.

Usage:
  logctl [-dir DIR] COMMAND [ARGUMENTS] [FLAGS]

Commands:
`)
	commands := []struct{ synopsis, summary string }{
		{"topics create NAME [-partitions N] [flags]", "create a topic"},
		{"topics list", "list the topics, one name per line"},
		{"topics describe [NAME]", "show topics' settings and partitions"},
		{"topics alter NAME -set K=V -delete K", "change a topic's settings (Kafka's names)"},
		{"topics delete NAME", "delete a topic and all its records"},
		{"produce -topic NAME [flags]", "produce each line of stdin as a record"},
		{"consume -topic NAME [flags]", "print records, one per line"},
		{"consume -topic NAME -group G [flags]", "print records from group G's offsets, commit them"},
		{"groups list", "list the consumer groups that committed offsets"},
		{"groups describe NAME", "show a group's committed offsets and lag"},
		{"dump FILE...", "print every batch of segment files (.log)"},
		{"verify [-deep] [NAME]", "check every segment's batches; exit 1 on damage"},
		{"help [COMMAND]", "show a command's usage"},
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-43s %s\n", c.synopsis, c.summary)
	}
	fmt.Fprint(w, `
Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprint(w, `
Flags may come before or after a command's arguments; -dir also after the
command. A registry is open for writing in one process at a time: topics
create, alter and delete, produce and consume -group lock it while they
run. topics list and describe, consume without -group, groups list and
describe, dump and verify take no lock and change nothing, so they run
beside any of those.

Exit status: 0 success; 1 failure, or damage found by dump or verify;
2 usage error. Run 'logctl COMMAND -h' for a command's flags.
`)
}

// dispatch parses the top-level flags and runs the command they leave.
func (e *env) dispatch(args []string) error {
	fs := flag.NewFlagSet("logctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&e.dir, "dir", defaultDir(), "the registry's `directory` ($LOGCTL_DIR if set, else ./data)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			e.usage(e.stdout, fs)
			return err
		}
		return &usageError{err: err}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return &usageError{err: errors.New("no command given"), usage: func(w io.Writer) { e.usage(w, fs) }}
	}
	name, args := rest[0], rest[1:]
	if name == "help" {
		if len(args) == 0 {
			e.usage(e.stdout, fs)
			return nil
		}
		// "help topics create" is "topics create -h".
		name, args = args[0], append(args[1:len(args):len(args)], "-h")
	}
	switch name {
	case "topics":
		return e.topics(args)
	case "produce":
		return e.produce(args)
	case "consume":
		return e.consume(args)
	case "groups":
		return e.groups(args)
	case "dump":
		return e.dump(args)
	case "verify":
		return e.verify(args)
	}
	return &usageError{err: fmt.Errorf("unknown command %q", name)}
}
