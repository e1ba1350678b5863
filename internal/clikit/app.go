package clikit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"
)

// Exit statuses every binary shares; a command may add its own above 2.
const (
	ExitOK     = 0 // done
	ExitFailed = 1 // the command ran and the outcome is a failure
	ExitUsage  = 2 // the command line is wrong
)

// exitRequest carries kong's exit (after --help, --version or a
// completion) out of Parse without ending the process, so that tests can
// run a binary's whole command line in-process.
type exitRequest struct{ code int }

// App is a kong parser with the tree's conventions.
type App struct {
	Kong   *kong.Kong
	name   string
	stderr io.Writer
}

// New builds the parser of grammar (a pointer to the binary's command
// struct). Help goes to stdout; ${version} is the binary's version line,
// for a kong.VersionFlag.
func New(name, description string, grammar any, stdout, stderr io.Writer, options ...kong.Option) (*App, error) {
	opts := append([]kong.Option{
		kong.Name(name),
		kong.Description(description),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitRequest{code}) }),
		kong.Vars{"version": Version(name)},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	}, options...)
	k, err := kong.New(grammar, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: command-line grammar: %w", name, err)
	}
	return &App{Kong: k, name: name, stderr: stderr}, nil
}

// Parse reads args (without the program name). When done is true the
// process should exit with code at once: help or the version was printed
// (0), a shell asked for completions and got them (0), or args are wrong
// (2, with the problem and a pointer to --help on stderr).
func (a *App) Parse(args []string) (ctx *kong.Context, code int, done bool) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exitRequest)
			if !ok {
				panic(r)
			}
			ctx, code, done = nil, e.code, true
		}
	}()
	if os.Getenv("COMP_LINE") != "" {
		// A shell asks for completions (`complete -C waiter waiter`):
		// answer and exit without running anything.
		kongplete.Complete(a.Kong,
			kongplete.WithPredictor("file", complete.PredictFiles("*")),
			kongplete.WithPredictor("yaml", complete.PredictFiles("*.yaml")),
			kongplete.WithPredictor("dir", complete.PredictDirs("*")),
			kongplete.WithExitFunc(func(code int) { panic(exitRequest{code}) }),
		)
	}
	if len(args) > 0 && args[0] == "help" && !a.hasCommand("help") {
		// `waiter help serve` is `waiter serve --help`, as people type it.
		args = append(append([]string(nil), args[1:]...), "--help")
	}
	if err := a.checkCommand(args); err != nil {
		a.UsageError(err)
		return nil, ExitUsage, true
	}
	ctx, err := a.Kong.Parse(args)
	if err != nil {
		a.UsageError(err)
		return nil, ExitUsage, true
	}
	return ctx, ExitOK, false
}

// hasCommand reports whether the binary has a top-level command name.
func (a *App) hasCommand(name string) bool {
	for _, c := range a.Kong.Model.Children {
		if c.Name == name {
			return true
		}
	}
	return false
}

// checkCommand names an unknown command as such (kong alone calls it an
// "unexpected argument") and lists the known ones. A binary with a
// default command takes any first word as that command's argument.
func (a *App) checkCommand(args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") || len(a.Kong.Model.Children) == 0 {
		return nil
	}
	var known []string
	for _, c := range a.Kong.Model.Children {
		if c.Tag != nil && c.Tag.Default != "" {
			return nil
		}
		if c.Name == args[0] || slices.Contains(c.Aliases, args[0]) {
			return nil
		}
		if !c.Hidden {
			known = append(known, c.Name)
		}
	}
	return fmt.Errorf("unknown command %q (known: %s)", args[0], strings.Join(known, ", "))
}

// UsageError reports a wrong command line: the problem, then where the
// help of the command it was about is.
func (a *App) UsageError(err error) {
	var pe *kong.ParseError
	if errors.As(err, &pe) {
		a.CommandUsageError(pe.Context, err)
		return
	}
	a.CommandUsageError(nil, err)
}

// CommandUsageError is UsageError for a problem a command found in its
// own arguments after parsing (ctx is the parse's context).
func (a *App) CommandUsageError(ctx *kong.Context, err error) {
	cmd := a.name
	if ctx != nil {
		if sel := ctx.Selected(); sel != nil {
			cmd = sel.FullPath() // starts with the binary's name
		}
	}
	fmt.Fprintf(a.stderr, "%s: %v\nRun '%s --help' for usage.\n", a.name, err, cmd)
}
