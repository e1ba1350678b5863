package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/waiter-go/waiter/cmd/kitchen/internal/kitchen"
)

func main() {
	cfg, err := kitchen.ParseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kitchen:", err)
		os.Exit(2)
	}
	// Schedulers stop instances with SIGTERM; treating it like Ctrl-C gives a
	// clean exit status instead of a signal death.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := kitchen.Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
