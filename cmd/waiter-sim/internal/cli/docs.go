package cli

import (
	"github.com/waiter-go/waiter/sim/scenario"
)

// docsCmd writes generated documentation to stdout. Its one topic today
// is the scenario format, generated from the Go types that decode it:
//
//	waiter-sim docs scenario > docs/scenario.md
type docsCmd struct {
	Topic string `arg:"" enum:"scenario" help:"What to document: scenario (the scenario format)."`
}

// Help is docs' detailed help.
func (docsCmd) Help() string {
	return `Prints the reference of the scenario format (every key, its type, unit,
default and meaning) in Markdown, generated from the Go types that decode it;
docs/scenario.md is its output, and a test keeps it fresh.

Examples:

    waiter-sim docs scenario > docs/scenario.md`
}

// Run runs the command.
func (c *docsCmd) Run(e *env) error {
	return scenario.WriteReference(e.stdout)
}
