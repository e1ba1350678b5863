package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/report"
)

// cmdCompare runs several policies on one scenario:
// `waiter-sim compare FILE --policies waiter,knative [flags]`. Assertions
// are shown per policy but do not set the exit status: they are tuned to
// the scenario's own policy, and a comparison is for reading.
func cmdCompare(e *env, args []string) error {
	fs := newFlags("compare")
	var f runFlags
	var list string
	fs.StringVar(&list, "policies", "", "comma-separated policies, e.g. waiter,knative")
	fs.Uint64Var(&f.seed, "seed", 0, "seed (default: the scenario's)")
	fs.StringVar(&f.out, "out", "", "output folder (default: reports/<scenario name>/compare)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one scenario file, got %d arguments", len(pos))
	}
	pols := splitList(list)
	if len(pols) == 0 {
		return usagef("--policies is required, e.g. --policies waiter,knative")
	}
	for i, p := range pols {
		if err := checkPolicy(p); err != nil {
			return err
		}
		if slices.Contains(pols[:i], p) {
			return usagef("policy %q listed twice", p)
		}
	}
	sc, err := load(pos[0])
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = filepath.Join("reports", scenarioName(sc, pos[0]), "compare")
	}
	var reps []*sim.Report
	for _, p := range pols {
		f.policy = p
		rep, err := e.simulate(sc, f.options(isSet(fs, "seed")), sc.Name+" "+p)
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
