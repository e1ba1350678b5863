// Package report turns simulator results (sim.Report) into files people and
// machines read: report.json (the Report itself), report.md (a summary that
// reads well in a diff and on GitHub, with text sparklines) and report.html
// (one self-contained page with inline CSS and inline SVG charts drawn by
// go-chart, no JavaScript and no external assets). It also writes the
// side-by-side comparison of several policies on one scenario and the
// parameter sweep with its cost-versus-p99 Pareto front.
//
// Every writer is deterministic: the same reports give the same bytes, so
// the reports committed under reports/ change in a review only when a
// change to the engine or the simulator changes what a run does. That is
// why nothing here reads a clock, iterates a map without sorting it, or
// lets go-chart pick anything on its own (ticks and ranges are computed
// here).
package report
