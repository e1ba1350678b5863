// Package report turns simulator results (sim.Report) into files people and
// machines read: report.json (the Report itself), report.md (a summary that
// reads well in a diff and on GitHub, with text sparklines) and report.html
// (one self-contained page of interactive charts and the same tables). It
// also writes the side-by-side comparison of several policies on one
// scenario, with each policy's change against the first, and the parameter
// sweep with its cost-versus-p99 Pareto front.
//
// The HTML pages draw their charts with uPlot (npm uplot 1.6.32, MIT
// licence), which is committed minified under internal/uplot, embedded in
// the binary and inlined in every page with the page's own script
// (assets/charts.js) and the chart data as JSON: a page fetches nothing.
// What a chart shows is decided here, in Go (plot.go: the series, one y
// axis and unit per chart, a log axis for latency, reference lines for
// max-instances and assertion bounds, shaded fault, load and panic-mode
// windows); the script only draws it, with zoom, a shared crosshair and
// legend toggles. The browser tests (browser_test.go) open the pages in
// headless Chromium through internal/browsertest.
//
// Every writer is deterministic: the same reports give the same bytes, so
// the reports committed under reports/ change in a review only when a
// change to the engine or the simulator changes what a run does. That is
// why nothing here reads a clock or iterates a map without sorting it.
package report
