package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/report"
)

// cmdSweep runs one scenario once per value of a Waiter parameter:
// `waiter-sim sweep FILE --set PARAM=V1,V2,... [flags]`. Like compare, it
// reports assertions but exits 0: a sweep explores values that are
// expected to break some.
func cmdSweep(e *env, args []string) error {
	fs := newFlags("sweep")
	var f runFlags
	var set assignments
	fs.Var(&set, "set", "the parameter and its values, PARAM=V1,V2,...")
	fs.StringVar(&f.policy, "policy", "", "scaling policy (default: the scenario's)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed (default: the scenario's)")
	fs.StringVar(&f.out, "out", "", "output folder (default: reports/<scenario name>/sweep-<param>)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one scenario file, got %d arguments", len(pos))
	}
	if len(set) != 1 {
		return usagef("want exactly one --set PARAM=V1,V2,..., got %d", len(set))
	}
	param, list, _ := strings.Cut(set[0], "=")
	param = strings.TrimSpace(param)
	values := splitList(list)
	if len(values) == 0 {
		return usagef("--set %s= lists no values", param)
	}
	if err := checkPolicy(f.policy); err != nil {
		return err
	}
	sc, err := load(pos[0])
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = filepath.Join("reports", scenarioName(sc, pos[0]), "sweep-"+dirName(param))
	}
	var reps []*sim.Report
	for _, v := range values {
		opts := f.options(isSet(fs, "seed"))
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
