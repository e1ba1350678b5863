package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/report"
	"github.com/waiter-go/waiter/sim/scenario"
)

// options turns the shared flags into simulator options.
func (f *runFlags) options(policy string) sim.Options {
	return sim.Options{Seed: f.Seed, Policy: policy}
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

// runCmd runs one scenario: `waiter-sim run FILE [flags]`.
type runCmd struct {
	File     string `arg:"" predictor:"yaml" help:"The scenario (YAML)."`
	runFlags `embed:""`
	Policy   string   `placeholder:"NAME" help:"Scaling policy: waiter or knative (default: the scenario's)."`
	Stats    string   `placeholder:"FILE" predictor:"file" help:"Write wall time, simulated requests per wall second and peak memory as JSON to FILE."`
	Set      []string `sep:"none" placeholder:"K=V" help:"Override a Waiter parameter of every service (repeatable). Numbers, true and false are typed; anything else is a string."`
	// CPUProfile is for whoever speeds the simulator up: where its time
	// goes on a scenario of their own, and make pgo's profiles.
	CPUProfile string `name:"cpu-profile" placeholder:"FILE" predictor:"file" help:"Write a CPU profile (pprof) of the simulation to FILE."`
}

// Help is run's detailed help.
func (runCmd) Help() string {
	return `Runs the scenario in virtual time, prints a summary table and writes
DIR/report.json, report.md and report.html (DIR defaults to
reports/<scenario name>). The same seed gives the same bytes. Exit 1 when
an assertion fails (after writing the reports), 2 when the scenario is
invalid (the message names file:line).

Examples:

    waiter-sim run scenarios/spike.yaml
    waiter-sim run scenarios/spike.yaml --seed 2 --out /tmp/spike --stats /tmp/stats.json
    waiter-sim run scenarios/spike.yaml --policy knative --set scale-up-factor=0.3
    waiter-sim run scenarios/large.yaml --cpu-profile /tmp/large.pprof   # then: go tool pprof -top /tmp/large.pprof`
}

// Run runs the command.
func (c *runCmd) Run(e *env) error {
	if err := checkAssignments(c.Set); err != nil {
		return err
	}
	if err := sim.CheckOverrides(overrides(c.Set)); err != nil {
		return usagef("--set: %v", err)
	}
	if err := checkPolicy(c.Policy); err != nil {
		return err
	}
	sc, err := load(c.File)
	if err != nil {
		return err
	}
	opts := c.options(c.Policy)
	opts.Set = overrides(c.Set)
	stopProfile := func() error { return nil }
	if c.CPUProfile != "" {
		if stopProfile, err = startCPUProfile(c.CPUProfile); err != nil {
			return err
		}
	}
	start := time.Now()
	cpu0, faults0 := processUsage()
	rep, err := e.simulate(sc, opts, sc.Name)
	wall := time.Since(start)
	cpu, faults := processUsage()
	cpu, faults = cpu-cpu0, faults-faults0
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}

	out := c.Out
	if out == "" {
		out = filepath.Join("reports", scenarioName(sc, c.File))
	}
	files, err := runFiles(rep)
	if err != nil {
		return err
	}
	if _, err := writeFiles(out, files...); err != nil {
		return err
	}
	if c.Stats != "" {
		if err := writeStats(c.Stats, rep, wall, cpu, faults); err != nil {
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
