package cli

import (
	"flag"
	"io"
	"math"
	"strconv"
	"strings"
)

// newFlags returns a flag set that reports errors to its caller instead of
// printing and exiting: Run owns the output and the exit status.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args allowing flags after positional arguments
// ("run FILE --seed 3"), which the flag package alone does not, and
// returns the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// isSet reports whether the flag name was given.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// assignments collects repeated k=v flags in order.
type assignments []string

func (a *assignments) String() string { return strings.Join(*a, " ") }

func (a *assignments) Set(s string) error {
	k, _, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return usagef("want k=v, got %q", s)
	}
	*a = append(*a, s)
	return nil
}

// overrides turns k=v assignments into Waiter parameter overrides.
func (a assignments) overrides() map[string]any {
	if len(a) == 0 {
		return nil
	}
	m := map[string]any{}
	for _, s := range a {
		k, v, _ := strings.Cut(s, "=")
		m[strings.TrimSpace(k)] = parseValue(v)
	}
	return m
}

// parseValue types a command-line parameter value the way Waiter's
// parameters are typed: numbers are float64, true and false are booleans,
// anything else is a string.
func parseValue(s string) any {
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	return s
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
