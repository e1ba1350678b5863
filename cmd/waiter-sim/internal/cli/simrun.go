package cli

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

// policies are the scaling policies a run may choose.
var policies = engine.PolicyNames()

func checkPolicy(p string) error {
	if p != "" && !slices.Contains(policies, p) {
		return usagef("unknown policy %q (known: %s)", p, strings.Join(policies, ", "))
	}
	return nil
}

// simulate runs sc, showing progress on a terminal. A panic in the
// simulator becomes an error naming the seed, so a bug report can
// reproduce it: the command line never dies with a bare stack trace.
func (e *env) simulate(sc *scenario.Scenario, opts sim.Options, label string) (rep *sim.Report, err error) {
	seed := sc.Seed
	if opts.Seed != nil {
		seed = *opts.Seed
	}
	bar := e.progress(label)
	if bar != nil {
		opts.Progress = bar.update
		defer bar.done()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in the simulator (scenario %s, seed %d): %v\n%s", sc.Name, seed, p, debug.Stack())
		}
	}()
	rep, err = sim.Run(sc, opts)
	if err != nil {
		return nil, fmt.Errorf("scenario %s, seed %d: %w", sc.Name, seed, err)
	}
	return rep, nil
}
