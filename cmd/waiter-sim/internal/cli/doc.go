// Package cli is waiter-sim's command line (kong, through internal/clikit:
// per-command help with examples, --version, completion): the run,
// compare, sweep, reports and marathon commands, progress on a terminal,
// and the exit status contract (0 success, 1 a failed assertion or stale
// reports, 2 a usage, scenario or other error). Run never panics and
// never calls os.Exit, so tests drive it in-process.
package cli
