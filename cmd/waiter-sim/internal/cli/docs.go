package cli

import (
	"github.com/waiter-go/waiter/sim/scenario"
)

// cmdDocs writes generated documentation to stdout. Its one topic today
// is the scenario format, generated from the Go types that decode it:
//
//	waiter-sim docs scenario > docs/scenario.md
func cmdDocs(e *env, args []string) error {
	if len(args) != 1 || args[0] != "scenario" {
		return usagef("want one topic: scenario (waiter-sim docs scenario > docs/scenario.md)")
	}
	return scenario.WriteReference(e.stdout)
}
