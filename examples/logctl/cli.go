package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usageError is a command line logctl cannot run: it exits with status 2
// and points to the command's -h.
type usageError struct {
	cmd   string // "topics create", or "" for the top level
	err   error
	usage func(io.Writer) // the whole usage, to print instead of a hint; nil: the hint
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.err.Error()
	}
	return e.cmd + ": " + e.err.Error()
}
func (e *usageError) Unwrap() error { return e.err }

// cmdFlags are a command's flags, with its usage text.
type cmdFlags struct {
	*flag.FlagSet
	e        *env
	path     string // "topics create"
	synopsis string // after "logctl "
	about    string // what the command does, a few paragraphs
}

// flags starts the flag set of command path. Every command takes -dir as
// well, so that it may follow the command.
func (e *env) flags(path, synopsis, about string) *cmdFlags {
	fs := flag.NewFlagSet("logctl "+path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&e.dir, "dir", e.dir, "the registry's `directory` (also accepted before the command)")
	return &cmdFlags{FlagSet: fs, e: e, path: path, synopsis: synopsis, about: about}
}

// usage writes the command's usage to w.
func (c *cmdFlags) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: logctl %s\n\n%s\n", c.synopsis, strings.TrimSpace(c.about))
	fmt.Fprintf(w, "\nFlags:\n")
	c.SetOutput(w)
	c.PrintDefaults()
	c.SetOutput(io.Discard)
}

// usageErr wraps err as a usage error of the command.
func (c *cmdFlags) usageErr(format string, args ...any) error {
	return &usageError{cmd: c.path, err: fmt.Errorf(format, args...)}
}

// parse parses args, in which flags and positional arguments may be
// interleaved ("topics create NAME -partitions 3"), and returns the
// positional ones; "--" ends the flags. It checks that there are between
// minArgs and maxArgs of them (maxArgs < 0: any number). -h prints the
// usage to stdout and returns flag.ErrHelp.
func (c *cmdFlags) parse(args []string, minArgs, maxArgs int) ([]string, error) {
	var positional []string
	for {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.usage(c.e.stdout)
				return nil, err
			}
			return nil, c.usageErr("%w", err)
		}
		rest := c.Args()
		if len(rest) == 0 {
			break
		}
		if c.endedByDashes(args[:len(args)-len(rest)]) {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	switch {
	case len(positional) < minArgs:
		return nil, c.usageErr("missing argument (usage: logctl %s)", c.synopsis)
	case maxArgs >= 0 && len(positional) > maxArgs:
		return nil, c.usageErr("unexpected argument %q (usage: logctl %s)", positional[maxArgs], c.synopsis)
	}
	return positional, nil
}

// endedByDashes reports whether the flags parsed from consumed ended with
// a "--" that terminates them, rather than one that is a flag's value.
func (c *cmdFlags) endedByDashes(consumed []string) bool {
	n := len(consumed)
	if n == 0 || consumed[n-1] != "--" {
		return false
	}
	if n == 1 {
		return true
	}
	prev := strings.TrimLeft(consumed[n-2], "-")
	if !strings.HasPrefix(consumed[n-2], "-") || strings.Contains(prev, "=") {
		return true
	}
	f := c.Lookup(prev)
	if f == nil {
		return true
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// isSet reports whether flag name was given on the command line.
func (c *cmdFlags) isSet(name string) bool {
	set := false
	c.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// subcommand is one subcommand of a command such as topics.
type subcommand struct {
	name string
	run  func(args []string) error
}

// runSubcommand runs the subcommand named by args, which may follow flags
// (-h, or -dir given before the subcommand).
func (e *env) runSubcommand(command, about string, args []string, subs []subcommand) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	want := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	c := e.flags(command, command+" "+strings.Join(names, "|")+" [ARGUMENTS] [FLAGS]", about)
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.usage(e.stdout)
				return err
			}
			return c.usageErr("%w", err)
		}
		args = c.Args()
		if len(args) == 0 {
			return c.usageErr("missing subcommand: %s", want)
		}
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(args[1:])
		}
	}
	return c.usageErr("unknown subcommand %q: want %s", args[0], want)
}

// cmdErr prefixes err, a failure of the library, with the command's name,
// as usage errors are: "topics create: topic: "orders" already exists".
func cmdErr(c *cmdFlags, err error) error {
	return fmt.Errorf("%s: %w", c.path, err)
}
