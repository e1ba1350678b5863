package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/alecthomas/kong"
	"github.com/waiter-go/waiter/internal/clikit"
	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/internal/fakemarathon/procs"
)

// Exit statuses.
const (
	exitOK     = clikit.ExitOK
	exitFailed = clikit.ExitFailed // an assertion failed, or reports are stale
	exitError  = clikit.ExitUsage  // bad usage, an invalid scenario, or any other error
)

// grammar is waiter-sim's command line.
type grammar struct {
	Version kong.VersionFlag `help:"Print the version (module version and commit) and exit."`

	Run        runCmd               `cmd:"" help:"Run one scenario: print a summary, write report.json, report.md and report.html."`
	Compare    compareCmd           `cmd:"" help:"Run several policies on the same scenario and seed, side by side."`
	Sweep      sweepCmd             `cmd:"" help:"Run one scenario once per value of a Waiter parameter; cost against p99 latency."`
	Reports    reportsCmd           `cmd:"" help:"Regenerate (or --check) the committed report of every scenario."`
	Load       loadCmd              `cmd:"" help:"Play a scenario against a real router (kitchen services, open-loop load); write a report like run's."`
	Fidelity   fidelityCmd          `cmd:"" help:"Run a scenario for real (its own waiter serve) and simulated; compare them side by side."`
	Marathon   marathonCmd          `cmd:"" help:"Serve a simulated Marathon over HTTP (Marathon 1.4's REST API)."`
	Docs       docsCmd              `cmd:"" help:"Print generated documentation: the scenario format's reference."`
	Completion clikit.CompletionCmd `cmd:"" help:"Print shell code that completes waiter-sim's commands and flags."`
}

// Help is waiter-sim's detailed help: what the exit statuses mean.
func (grammar) Help() string {
	return `Exit status: 0 on success; 1 when an assertion fails (run, after writing the
reports) or reports are stale (reports --check); 2 on a usage error, an
invalid scenario (the message names the file, line and field, and
docs/scenario.md, printed by 'waiter-sim docs scenario', describes the
format) or any other error.

Examples:

    waiter-sim run scenarios/spike.yaml
    waiter-sim compare scenarios/spike.yaml --policies waiter,knative
    waiter-sim sweep scenarios/spike.yaml --set scale-up-factor=0.05,0.1,0.3
    waiter-sim reports --check`
}

const description = `waiter-sim runs Waiter's engine in virtual time against a simulated Mesos
cluster and Marathon, and reports latency, rejections, cold starts and cost.`

// usageError is bad command-line input found after parsing: exit 2 with
// a pointer to the command's --help.
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
	var g grammar
	app, err := clikit.New("waiter-sim", description, &g, stdout, stderr, kong.Bind(e),
		kong.Vars{"log_level": "warn", "launch_latency": fakemarathon.DefaultLaunchLatency.String(),
			"port_range": fmt.Sprintf("%d-%d", procs.DefaultPortRangeStart, procs.DefaultPortRangeEnd)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	if len(args) == 0 {
		// No command: show what there is, but as the usage error it is.
		app.Parse([]string{"--help"})
		return exitError
	}
	ctx, code, done := app.Parse(args)
	if done {
		return code
	}
	if ctx.Command() == "completion <shell>" {
		if err := g.Completion.Print(stdout, "waiter-sim", ""); err != nil {
			fmt.Fprintln(stderr, "waiter-sim:", err)
			return exitError
		}
		return exitOK
	}
	name := ctx.Selected().Name
	err = ctx.Run()
	var ue *usageError
	var fe *failedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		app.CommandUsageError(ctx, err)
		return exitError
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "waiter-sim %s: %v\n", name, err)
		return exitFailed
	default:
		fmt.Fprintf(stderr, "waiter-sim %s: %v\n", name, err)
		return exitError
	}
}
