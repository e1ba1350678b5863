// Package uplot ships uPlot (npm uplot 1.6.32, MIT, see LICENSE and
// README.md for the files' sums), the chart library of the simulator's
// reports and of waiter serve's dashboard: one copy, embedded in the
// binaries that use it.
package uplot

import _ "embed"

// JS is uPlot's minified browser build (uPlot.iife.min.js).
//
//go:embed uPlot.iife.min.js
var JS string

// CSS is uPlot's style sheet (uPlot.min.css).
//
//go:embed uPlot.min.css
var CSS string
