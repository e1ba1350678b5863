package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/report"
)

// sweepCmd runs one scenario once per value of a Waiter parameter:
// `waiter-sim sweep FILE --set PARAM=V1,V2,... [flags]`. Like compare, it
// reports assertions but exits 0: a sweep explores values that are
// expected to break some.
type sweepCmd struct {
	File     string `arg:"" predictor:"yaml" help:"The scenario (YAML)."`
	Set      string `required:"" placeholder:"PARAM=V1,V2,..." help:"The Waiter parameter and its values."`
	Policy   string `placeholder:"NAME" help:"Scaling policy: waiter or knative (default: the scenario's)."`
	runFlags `embed:""`
}

// Help is sweep's detailed help.
func (sweepCmd) Help() string {
	return `Runs the scenario once per value, prints the table and writes DIR/sweep.md and
DIR/sweep.html (cost in instance-hours against p99 latency, with the Pareto
front) and DIR/<param>-<value>/report.json (DIR defaults to
reports/<scenario name>/sweep-<param>). Exits 0 even when some values fail
their assertions: a sweep explores.

Examples:

    waiter-sim sweep scenarios/spike.yaml --set scale-up-factor=0.05,0.1,0.3
    waiter-sim sweep scenarios/spike.yaml --set concurrency-level=1,2,4,8 --policy knative`
}

// Run runs the command.
func (c *sweepCmd) Run(e *env) error {
	param, list, ok := strings.Cut(c.Set, "=")
	param = strings.TrimSpace(param)
	if !ok || param == "" {
		return usagef("--set: want PARAM=V1,V2,..., got %q", c.Set)
	}
	values := splitList(list)
	if len(values) == 0 {
		return usagef("--set %s= lists no values", param)
	}
	if err := sim.CheckOverrides(map[string]any{param: nil}); err != nil {
		return usagef("--set %s: %v", c.Set, err)
	}
	if err := checkPolicy(c.Policy); err != nil {
		return err
	}
	sc, err := load(c.File)
	if err != nil {
		return err
	}
	out := c.Out
	if out == "" {
		out = filepath.Join("reports", scenarioName(sc, c.File), "sweep-"+dirName(param))
	}
	var reps []*sim.Report
	for _, v := range values {
		opts := c.options(c.Policy)
		opts.Set = map[string]any{param: parseValue(v)}
		rep, err := e.simulate(sc, opts, fmt.Sprintf("%s %s=%s", sc.Name, param, v))
		if err != nil {
			return fmt.Errorf("%s=%s: %w", param, v, err)
		}
		j, err := render("report.json", func(w io.Writer) error { return report.WriteJSON(w, rep) })
		if err != nil {
			return err
		}
		if _, err := writeFiles(filepath.Join(out, dirName(param+"-"+v)), j); err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	md, err := render("sweep.md", func(w io.Writer) error { return report.WriteSweepMarkdown(w, param, values, reps) })
	if err != nil {
		return err
	}
	html, err := render("sweep.html", func(w io.Writer) error { return report.WriteSweepHTML(w, param, values, reps) })
	if err != nil {
		return err
	}
	if _, err := writeFiles(out, md, html); err != nil {
		return err
	}
	if err := report.WriteSweepSummary(e.stdout, param, values, reps); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", filepath.Join(out, "sweep.{md,html}"))
	return nil
}
