package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

// entry is one scenario file of the repository and the folder of its
// committed report.
type entry struct {
	path string
	sc   *scenario.Scenario
	name string // reports/<name>/
}

// reportsCmd regenerates or checks the committed reports:
// `waiter-sim reports [--check] [--all] [DIR]`. A scenario whose
// assertions fail still gets its report (the failure shows in it and in
// the review diff) and does not change the exit status; only stale
// reports (with --check) or errors do.
type reportsCmd struct {
	Dir   string `arg:"" optional:"" default:"." predictor:"dir" help:"The repository: DIR/scenarios/*.yaml and DIR/reports/ (default: the current folder)."`
	Check bool   `help:"Compare with the committed reports instead of writing them; exit 1 when one is stale."`
	All   bool   `help:"Every scenario, not only those marked fast: true."`
}

// Help is reports' detailed help.
func (reportsCmd) Help() string {
	return `Regenerates DIR/reports/<name>/ for every DIR/scenarios/*.yaml marked
"fast: true" (every scenario with --all); unchanged files are left alone.
--check writes nothing under reports/: it regenerates into a temporary folder
and lists the committed files that differ (exit 1 if any).

Examples:

    waiter-sim reports --all          # what make reports runs
    waiter-sim reports --check        # what the tests run`
}

// Run runs the command.
func (c *reportsCmd) Run(e *env) error {
	root, check, all := c.Dir, c.Check, c.All
	every, err := scenarios(root)
	if err != nil {
		return err
	}
	var chosen []entry
	for _, en := range every {
		if all || en.sc.Fast {
			chosen = append(chosen, en)
		}
	}
	orphans, err := orphanReports(root, every)
	if err != nil {
		return err
	}
	if check {
		return e.checkReports(root, chosen, orphans)
	}
	for _, en := range chosen {
		rep, files, err := e.generate(en)
		if err != nil {
			return err
		}
		dir := filepath.Join(root, "reports", en.name)
		changed, err := writeFiles(dir, files...)
		if err != nil {
			return err
		}
		status := "unchanged"
		if len(changed) > 0 {
			status = "updated " + strings.Join(changed, ", ")
		}
		fmt.Fprintf(e.stdout, "%s: %s%s\n", filepath.Join("reports", en.name), status, failNote(rep))
	}
	for _, o := range orphans {
		fmt.Fprintf(e.stderr, "warning: %s has no scenario; delete it if the scenario is gone\n", o)
	}
	return nil
}

// failNote flags a run whose assertions failed.
func failNote(rep *sim.Report) string {
	if rep.Passed {
		return ""
	}
	return " (assertions FAIL)"
}

// generate runs one scenario as committed: its own seed and policy.
func (e *env) generate(en entry) (*sim.Report, []file, error) {
	rep, err := e.simulate(en.sc, sim.Options{}, en.name)
	if err != nil {
		return nil, nil, err
	}
	files, err := runFiles(rep)
	if err != nil {
		return nil, nil, err
	}
	return rep, files, nil
}

// checkReports regenerates the chosen reports into a temporary folder and
// lists every committed file that differs or is missing, and every report
// folder without a scenario. The fresh copies are kept when something is
// stale, so the difference can be read with diff -r.
func (e *env) checkReports(root string, chosen []entry, orphans []string) error {
	tmp, err := os.MkdirTemp("", "waiter-sim-reports-")
	if err != nil {
		return fmt.Errorf("temporary folder: %w", err)
	}
	var stale []string
	for _, en := range chosen {
		_, files, err := e.generate(en)
		if err != nil {
			os.RemoveAll(tmp)
			return err
		}
		if _, err := writeFiles(filepath.Join(tmp, en.name), files...); err != nil {
			os.RemoveAll(tmp)
			return err
		}
		for _, f := range files {
			rel := filepath.Join("reports", en.name, f.name)
			old, err := os.ReadFile(filepath.Join(root, rel))
			switch {
			case errors.Is(err, os.ErrNotExist):
				stale = append(stale, "missing: "+rel)
			case err != nil:
				os.RemoveAll(tmp)
				return fmt.Errorf("read %s: %w", rel, err)
			case string(old) != string(f.data):
				stale = append(stale, "stale:   "+rel)
			}
		}
	}
	for _, o := range orphans {
		stale = append(stale, "orphan:  "+o+" (no scenario has this name)")
	}
	if len(stale) == 0 {
		os.RemoveAll(tmp)
		fmt.Fprintf(e.stdout, "%d reports up to date\n", len(chosen))
		return nil
	}
	for _, s := range stale {
		fmt.Fprintln(e.stdout, s)
	}
	return &failedError{msg: fmt.Sprintf("%d report files out of date; run 'make reports' to regenerate "+
		"(fresh copies are in %s)", len(stale), tmp)}
}

// scenarios loads every scenarios/*.yaml under root, in file-name order.
// A broken scenario fails the whole command: its report cannot be made.
func scenarios(root string) ([]entry, error) {
	paths, err := filepath.Glob(filepath.Join(root, "scenarios", "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list scenarios: %w", err)
	}
	if len(paths) == 0 {
		return nil, usagef("no scenarios in %s", filepath.Join(root, "scenarios"))
	}
	sort.Strings(paths)
	var out []entry
	byName := map[string]string{}
	for _, p := range paths {
		sc, err := load(p)
		if err != nil {
			return nil, err
		}
		name := scenarioName(sc, p)
		if other, dup := byName[name]; dup {
			return nil, fmt.Errorf("%s and %s both name their report reports/%s", other, p, name)
		}
		byName[name] = p
		out = append(out, entry{path: p, sc: sc, name: name})
	}
	return out, nil
}

// orphanReports lists folders under root/reports that no scenario names:
// the report of a renamed or deleted scenario.
func orphanReports(root string, every []entry) ([]string, error) {
	names := map[string]bool{}
	for _, en := range every {
		names[en.name] = true
	}
	des, err := os.ReadDir(filepath.Join(root, "reports"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	var out []string
	for _, de := range des {
		if de.IsDir() && !names[de.Name()] {
			out = append(out, filepath.Join("reports", de.Name()))
		}
	}
	return out, nil
}
