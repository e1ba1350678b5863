package router

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrSchedulerPanicked is the error of a scheduler call that panicked.
var ErrSchedulerPanicked = errors.New("scheduler call panicked")

// guardedCall makes one scheduler call, times and counts it
// (waiter_scheduler_calls_total), and turns a panic of it into an error
// wrapping ErrSchedulerPanicked.
//
// Why: scheduler calls run on the driver's own goroutines (the op
// queue's workers, the poller, the notification watcher), where nothing
// else would recover. A panic of an adapter's code, say on an answer its
// cluster should never give, would end the router and every request it
// holds. As an error it is what a failed call already is: the syncer
// tries again, the failure shows on /metrics and in the log (with the
// stack, for whoever fixes the adapter), and every other service goes on.
// Config.Panicked counts it (waiter_router_panics_total).
func guardedCall[T any](d *Driver, op string, call func() (T, error)) (v T, err error) {
	start := d.clk.Now()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: %v", ErrSchedulerPanicked, op, p)
			d.log.Error("a scheduler call panicked; it counts as failed", "op", op, "panic", fmt.Sprint(p),
				"stack", string(debug.Stack()))
			if d.cfg.Panicked != nil {
				d.cfg.Panicked()
			}
		}
		d.metrics.schedulerCall(op, d.clk.Since(start), err)
	}()
	return call()
}
