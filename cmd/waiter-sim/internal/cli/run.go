package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/report"
	"github.com/waiter-go/waiter/sim/scenario"
)

// runFlags are the flags run, compare and sweep share.
type runFlags struct {
	seed   uint64
	policy string
	out    string
}

// options turns the shared flags into simulator options.
func (f *runFlags) options(seedSet bool) sim.Options {
	var o sim.Options
	if seedSet {
		s := f.seed
		o.Seed = &s
	}
	o.Policy = f.policy
	return o
}

// scenarioName is the name reports use: the scenario's name, or its file
// name when it has none, made safe as a folder name.
func scenarioName(sc *scenario.Scenario, path string) string {
	name := sc.Name
	if name == "" {
		name = filepath.Base(path)
		name = name[:len(name)-len(filepath.Ext(name))]
	}
	return dirName(name)
}

// cmdRun runs one scenario: `waiter-sim run FILE [flags]`.
func cmdRun(e *env, args []string) error {
	fs := newFlags("run")
	var f runFlags
	var set assignments
	var stats string
	fs.Uint64Var(&f.seed, "seed", 0, "seed (default: the scenario's)")
	fs.StringVar(&f.policy, "policy", "", "scaling policy (default: the scenario's)")
	fs.StringVar(&f.out, "out", "", "output folder (default: reports/<scenario name>)")
	fs.StringVar(&stats, "stats", "", "write run statistics as JSON to this file")
	fs.Var(&set, "set", "override a Waiter parameter of every service, k=v (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one scenario file, got %d arguments", len(pos))
	}
	if err := checkPolicy(f.policy); err != nil {
		return err
	}
	sc, err := load(pos[0])
	if err != nil {
		return err
	}
	opts := f.options(isSet(fs, "seed"))
	opts.Set = set.overrides()
	start := time.Now()
	rep, err := e.simulate(sc, opts, sc.Name)
	if err != nil {
		return err
	}
	wall := time.Since(start)

	out := f.out
	if out == "" {
		out = filepath.Join("reports", scenarioName(sc, pos[0]))
	}
	files, err := runFiles(rep)
	if err != nil {
		return err
	}
	if _, err := writeFiles(out, files...); err != nil {
		return err
	}
	if stats != "" {
		if err := writeStats(stats, rep, wall); err != nil {
			return err
		}
	}
	if err := report.WriteSummary(e.stdout, rep); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(out, "report.{json,md,html}"))
	if !rep.Passed {
		return &failedError{msg: "assertions failed (seed " + fmt.Sprint(rep.Seed) + ")"}
	}
	return nil
}
