package stopsig

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Context returns a context that SIGTERM or SIGINT ends: `waiter serve`
// drains when it ends. The signals stay caught after cancel, until the
// process exits. signal.NotifyContext's stop gives them back their
// default action, to kill the process: a second SIGTERM (a supervisor
// repeating itself, an operator's second Ctrl-C) that came after the
// drain, while the router finished its exit, then killed it by signal
// rather than letting it exit 0, and a test that stops the router saw
// that now and then (TestWebsocketDrainOnSIGTERM: "exited -1").
// Repeats during the drain were dropped already; now they are dropped
// until the end.
func Context() (context.Context, context.CancelFunc) {
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-caught:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
