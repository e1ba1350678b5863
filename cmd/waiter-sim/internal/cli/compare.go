package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/report"
)

// compareCmd runs several policies on one scenario:
// `waiter-sim compare FILE --policies waiter,knative [flags]`. Assertions
// are shown per policy but do not set the exit status: they are tuned to
// the scenario's own policy, and a comparison is for reading.
type compareCmd struct {
	File     string   `arg:"" predictor:"yaml" help:"The scenario (YAML)."`
	Policies []string `required:"" placeholder:"P1,P2" help:"Policies to compare, comma-separated (waiter, knative)."`
	runFlags `embed:""`
}

// Help is compare's detailed help.
func (compareCmd) Help() string {
	return `Runs each policy on the same load and seed, prints the side-by-side table and
writes DIR/compare.md, DIR/compare.html and DIR/<policy>/report.json (DIR
defaults to reports/<scenario name>/compare). Failed assertions are shown but
do not change the exit status.

Examples:

    waiter-sim compare scenarios/spike.yaml --policies waiter,knative
    waiter-sim compare scenarios/spike.yaml --policies waiter,knative --seed 3 --out /tmp/cmp`
}

// Run runs the command.
func (c *compareCmd) Run(e *env) error {
	var pols []string
	for _, p := range c.Policies {
		pols = append(pols, splitList(p)...)
	}
	if len(pols) == 0 {
		return usagef("--policies lists no policy, e.g. --policies waiter,knative")
	}
	for i, p := range pols {
		if err := checkPolicy(p); err != nil {
			return err
		}
		if slices.Contains(pols[:i], p) {
			return usagef("policy %q listed twice", p)
		}
	}
	sc, err := load(c.File)
	if err != nil {
		return err
	}
	out := c.Out
	if out == "" {
		out = filepath.Join("reports", scenarioName(sc, c.File), "compare")
	}
	var reps []*sim.Report
	for _, p := range pols {
		rep, err := e.simulate(sc, c.options(p), sc.Name+" "+p)
		if err != nil {
			return err
		}
		j, err := render("report.json", func(w io.Writer) error { return report.WriteJSON(w, rep) })
		if err != nil {
			return err
		}
		if _, err := writeFiles(filepath.Join(out, dirName(p)), j); err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	md, err := render("compare.md", func(w io.Writer) error { return report.WriteCompareMarkdown(w, reps) })
	if err != nil {
		return err
	}
	html, err := render("compare.html", func(w io.Writer) error { return report.WriteCompareHTML(w, reps) })
	if err != nil {
		return err
	}
	if _, err := writeFiles(out, md, html); err != nil {
		return err
	}
	if err := report.WriteCompareSummary(e.stdout, reps); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(out, "compare.{md,html}"))
	return nil
}
