// Package procgroup signals and watches Unix process groups: every
// instance the shell scheduler starts, and every task the simulated
// Marathon runs as a real process, leads its own group, so what it forks
// stops with it. Both adapters/shell and internal/fakemarathon/procs use it
// (adapters are imported by the wiring only, so the shared piece lives here).
// Test harnesses start their helper processes with OwnGroupDyingWithUs,
// the one place that knows only Linux has a parent-death signal.
package procgroup
