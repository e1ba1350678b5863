package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/alecthomas/kong"
	"github.com/waiter-go/waiter/cmd/waiter/internal/client"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/internal/clikit"
)

// Exit statuses of the waiter command.
const (
	exitOK          = clikit.ExitOK
	exitFailed      = clikit.ExitFailed // the router refused, or the answer is no
	exitUsage       = clikit.ExitUsage  // wrong command line or configuration
	exitUnreachable = 3                 // a cluster could not be reached
)

// grammar is the waiter command line.
type grammar struct {
	// Version is hidden because create, update and init take --version
	// as the token's version; the help text names it.
	Version kong.VersionFlag `hidden:"" help:"Print the version (module version and commit) and exit."`

	Serve       serveCmd             `cmd:"" help:"Run the router: Waiter's API and proxy, services as local processes or on Marathon."`
	Create      createCmd            `cmd:"" help:"Create a token (replacing one of that name) from flags or a JSON/YAML file." group:"Tokens"`
	Update      updateCmd            `cmd:"" help:"Change some fields of an existing token." group:"Tokens"`
	Show        showCmd              `cmd:"" help:"Show a token and the services it started." group:"Tokens"`
	Tokens      tokensCmd            `cmd:"" help:"List tokens by owner." group:"Tokens"`
	Delete      deleteCmd            `cmd:"" help:"Delete a token that no running service uses." group:"Tokens"`
	Init        initCmd              `cmd:"" help:"Write a token file to edit, then pass to waiter create --input." group:"Tokens"`
	Ping        pingCmd              `cmd:"" help:"Start a token's service if needed and health-check one instance." group:"Services"`
	Kill        killCmd              `cmd:"" help:"Stop the services of a token, or one service by id." group:"Services"`
	Maintenance maintenanceCmd       `cmd:"" help:"Answer a token's requests with 503 and a message, stop that, or check." group:"Services"`
	Completion  clikit.CompletionCmd `cmd:"" help:"Print shell code that completes waiter's commands and flags."`
}

// Help is waiter's detailed help.
func (grammar) Help() string {
	return `Commands other than serve talk to Waiter clusters: by default every enabled
cluster of the configuration file ($WAITER_CONFIG, ./.waiter.json,
~/.config/waiter/config.yaml, ~/.waiter.json), or with no file the local
router at http://127.0.0.1:9091; --cluster NAME or --url URL picks one.
Authentication: WAITER_BEARER_TOKEN or WAITER_BEARER_TOKEN_FILE (or a
cluster's bearer-token-file) sends a bearer token; a router that asks for
Kerberos gets a ticket from the credential cache kinit filled.

waiter --version prints the version and the commit it was built from.

Exit status: 0 done; 1 the router refused or the answer is no (not found,
ping failed, not in maintenance); 2 a wrong command line or configuration;
3 a cluster could not be reached.

Examples:

    waiter serve
    waiter create web --cmd 'kitchen -p $PORT0' --cpus 0.1 --mem 256 --version v1
    waiter ping web
    waiter show web
    waiter tokens --json`
}

const description = "Waiter runs HTTP services on demand: a router (waiter serve) and its command line."

// env is what commands run with.
type env struct {
	ctx            context.Context
	stdout, stderr io.Writer
	getenv         func(string) string
	// signals, when set, makes the context serve ends with (SIGTERM,
	// SIGINT); tests replace it.
	signals func() (context.Context, context.CancelFunc)
	// serveReady is told the router's address once it listens (tests).
	serveReady func(addr string)
	// beforeWrite runs between reading a token and writing it back
	// (tests use it to change the token in between).
	beforeWrite func()
}

// usageError is a wrong command line or configuration found after
// parsing: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// failure is an outcome already explained on the terminal: exit with
// code, print nothing more.
type failure struct{ code int }

func (f *failure) Error() string { return fmt.Sprintf("exit %d", f.code) }

// Options are what Run needs from the process.
type Options struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Signals makes the context `waiter serve` runs until; nil: SIGTERM
	// and SIGINT.
	Signals func() (context.Context, context.CancelFunc)
	// ServeReady, when set, is told the router's address once it
	// listens.
	ServeReady func(addr string)
	// BeforeWrite, when set, runs between reading a token and writing it
	// back.
	BeforeWrite func()
}

// Run runs the waiter command line (args without the program name) and
// returns the exit status.
func Run(args []string, o Options) int {
	e := &env{ctx: context.Background(), stdout: o.Stdout, stderr: o.Stderr, getenv: o.Getenv,
		signals: o.Signals, serveReady: o.ServeReady, beforeWrite: o.BeforeWrite}
	var g grammar
	vars := kong.Vars(config.HelpVars())
	app, err := clikit.New("waiter", description, &g, o.Stdout, o.Stderr, kong.Bind(e), vars,
		kong.ExplicitGroups([]kong.Group{{Key: "Tokens", Title: "Tokens:"}, {Key: "Services", Title: "Services:"}}))
	if err != nil {
		fmt.Fprintln(o.Stderr, err)
		return exitUsage
	}
	if len(args) == 0 {
		app.Parse([]string{"--help"})
		return exitUsage
	}
	args, err = tokenFieldFlags(args)
	if err != nil {
		app.UsageError(err)
		return exitUsage
	}
	ctx, code, done := app.Parse(args)
	if done {
		return code
	}
	if ctx.Command() == "completion <shell>" {
		if err := g.Completion.Print(o.Stdout, "waiter", ""); err != nil {
			fmt.Fprintln(o.Stderr, "waiter:", err)
			return exitFailed
		}
		return exitOK
	}
	return exitCode(app, ctx, ctx.Run())
}

// exitCode reports err and chooses the exit status.
func exitCode(app *clikit.App, ctx *kong.Context, err error) int {
	var (
		ue *usageError
		f  *failure
		re *client.UnreachableError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &f):
		return f.code // already explained
	case errors.As(err, &ue):
		app.CommandUsageError(ctx, err)
		return exitUsage
	}
	fmt.Fprintf(ctx.Stderr, "%s: %v\n", ctx.Selected().FullPath(), err)
	if errors.As(err, &re) {
		return exitUnreachable
	}
	return exitFailed // the router refused (*client.APIError) or something else failed
}
