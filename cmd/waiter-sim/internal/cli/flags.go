package cli

import (
	"math"
	"strconv"
	"strings"
)

// runFlags are the flags run, compare and sweep share.
type runFlags struct {
	Seed *uint64 `placeholder:"N" help:"Seed of every random stream (default: the scenario's)."`
	Out  string  `placeholder:"DIR" predictor:"dir" help:"Output folder (default: under reports/<scenario name>)."`
}

// checkAssignments refuses --set values that are not k=v.
func checkAssignments(set []string) error {
	for _, s := range set {
		k, _, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usagef("--set: want k=v, got %q", s)
		}
	}
	return nil
}

// overrides turns k=v assignments into Waiter parameter overrides.
func overrides(set []string) map[string]any {
	if len(set) == 0 {
		return nil
	}
	m := map[string]any{}
	for _, s := range set {
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
