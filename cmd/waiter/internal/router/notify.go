package router

import (
	"context"

	"github.com/waiter-go/waiter/engine"
)

// notifier is implemented by schedulers that announce changes as they
// happen (adapters/shell: Subscribe and ObserveService). The driver then
// observes a changed service at once, so a cold start is dispatched as
// soon as the instance passes its health check, and polling becomes the
// safety net for dropped notifications.
type notifier interface {
	Subscribe() <-chan string
	ObserveService(ctx context.Context, serviceID string) (engine.Observation, error)
}

// watchNotifications observes each service the scheduler says changed;
// the syncer numbers each observation when it starts, like a poll.
func (d *Driver) watchNotifications(ctx context.Context, n notifier) {
	changes := n.Subscribe()
	for {
		select {
		case <-ctx.Done():
			return
		case id, ok := <-changes:
			if !ok {
				return // the scheduler shut down
			}
			var seq uint64
			if !d.do(func() { seq = d.sync.ObservationStarted(d.clk.Now()) }) {
				return
			}
			callCtx, cancel := d.clk.WithTimeout(ctx, d.cfg.CallTimeout)
			obs, err := guardedCall(d, "observe-service", func() (engine.Observation, error) { return n.ObserveService(callCtx, id) })
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				d.log.Warn("observing a service failed", "service-id", id, "error", err)
				continue
			}
			d.do(func() {
				d.lastPoll = d.clk.Now()
				d.observeOne(seq, id, obs)
			})
		}
	}
}
