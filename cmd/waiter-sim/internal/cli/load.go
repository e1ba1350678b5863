package cli

import (
	"github.com/waiter-go/waiter/sim/scenario"
)

// load reads a scenario. Its errors name the file, the line and the
// field's path (exit 2).
func load(path string) (*scenario.Scenario, error) {
	return scenario.Load(path)
}
