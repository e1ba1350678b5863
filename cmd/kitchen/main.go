package main

import (
	"fmt"
	"os"

	"github.com/waiter-go/waiter/cmd/kitchen/internal/kitchen"
	"github.com/waiter-go/waiter/internal/stopsig"
)

func main() {
	cfg, code, done := kitchen.ParseCommandLine(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if done {
		os.Exit(code)
	}
	// Schedulers stop instances with SIGTERM; treating it like Ctrl-C gives a
	// clean exit status instead of a signal death, repeats included.
	ctx, stop := stopsig.Context()
	defer stop()
	if err := kitchen.Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
