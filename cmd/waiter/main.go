package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/serve"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

const usage = `usage: waiter <command> [flags]

commands:
  serve    run the router (waiter serve --help for flags)
`

// run dispatches a command and returns the exit status.
func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		cfg, err := config.Parse(args[1:], stderr)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			fmt.Fprintln(stderr, "waiter serve:", err)
			return 2
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := serve.Run(ctx, serve.Options{Config: cfg, Clock: clock.New()}); err != nil {
			fmt.Fprintln(stderr, "waiter serve:", err)
			return 1
		}
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stderr, usage)
		return 0
	}
	fmt.Fprintf(stderr, "waiter: unknown command %q\n%s", args[0], usage)
	return 2
}
