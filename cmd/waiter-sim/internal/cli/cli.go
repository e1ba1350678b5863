package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // an assertion failed, or reports are stale
	exitError  = 2 // bad usage, an invalid scenario, or any other error
)

const usage = `waiter-sim runs Waiter's engine in virtual time against a simulated
Mesos cluster and Marathon, and reports latency, rejections, cold starts
and cost.

Usage:
  waiter-sim run FILE [--seed N] [--policy NAME] [--out DIR] [--stats FILE] [--set k=v ...]
  waiter-sim compare FILE --policies waiter,knative [--seed N] [--out DIR]
  waiter-sim sweep FILE --set PARAM=V1,V2,... [--policy NAME] [--seed N] [--out DIR]
  waiter-sim reports [--check] [--all] [DIR]
  waiter-sim marathon [--listen ADDR] [--simulated] [--start-check-interval D] [...]
  waiter-sim docs scenario

Commands:
  run       Run one scenario, print a summary, write DIR/report.json,
            report.md and report.html. DIR defaults to reports/<scenario name>.
            --seed and --policy replace the scenario's; each --set k=v
            overrides a Waiter parameter of every service. --stats FILE
            writes wall time, simulated requests per wall second and peak
            memory as JSON.
  compare   Run each policy on the same load and seed; print the side-by-side
            table; write DIR/compare.md, DIR/compare.html and
            DIR/<policy>/report.json. DIR defaults to reports/<name>/compare.
  sweep     One run per value of one Waiter parameter; print the table; write
            DIR/sweep.md and DIR/sweep.html (cost in instance-seconds against
            p99 latency, with the Pareto front) and DIR/<param>-<value>/report.json.
            DIR defaults to reports/<name>/sweep-<param>.
  reports   Regenerate DIR/reports/<name>/ for every DIR/scenarios/*.yaml marked
            "fast: true" (every scenario with --all); DIR defaults to ".".
            --check writes nothing under reports/: it regenerates into a
            temporary folder and lists the committed files that differ.
  marathon  Serve the simulated Marathon over HTTP (Marathon 1.4's REST API,
            what go-marathon uses) on ADDR (127.0.0.1:8080) until interrupted.
            Tasks run as local processes with $PORT0.. (--simulated: in the
            model instead); --work-dir, --port-range LO-HI, --agents N,
            --launch-latency, --first-health-check, --start-check-interval
            tune it; -v logs launches and kills. Faults: POST /_sim/faults.
  docs      Print the reference of the scenario format (every key, its type,
            unit, default and meaning) in Markdown, generated from the Go
            types that decode it; docs/scenario.md is its output.

Values given to --set are numbers (float64), true or false, or else strings.

Exit status: 0 on success; 1 when an assertion fails (run, after writing the
reports) or reports are stale (reports --check); 2 on a usage error, an
invalid scenario (the message names the file, line and field, and
docs/scenario.md, printed by 'waiter-sim docs scenario', describes the format) or any
other error.
`

// usageError is bad command-line input: exit 2 with a pointer to --help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// failedError means the command did its work but the outcome is a failure
// (an assertion failed, reports are stale): exit 1.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

// env is what a command writes to.
type env struct {
	stdout, stderr io.Writer
}

// Run runs waiter-sim with args (without the program name) and returns the
// exit status.
func Run(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	cmds := map[string]func(*env, []string) error{
		"run":      cmdRun,
		"compare":  cmdCompare,
		"sweep":    cmdSweep,
		"reports":  cmdReports,
		"marathon": cmdMarathon,
		"docs":     cmdDocs,
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "waiter-sim: unknown command %q (known: %s)\nRun 'waiter-sim --help' for usage.\n",
			name, strings.Join([]string{"run", "compare", "sweep", "reports", "marathon", "docs"}, ", "))
		return exitError
	}
	err := cmd(e, args[1:])
	var ue *usageError
	var fe *failedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "waiter-sim %s: %v\nRun 'waiter-sim --help' for usage.\n", name, err)
		return exitError
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "waiter-sim %s: %v\n", name, err)
		return exitFailed
	default:
		fmt.Fprintf(stderr, "waiter-sim %s: %v\n", name, err)
		return exitError
	}
}
