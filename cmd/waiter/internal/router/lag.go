package router

import "context"

// probeLag measures how long work waits for the loop goroutine: every
// LagProbeInterval it queues a closure stamped with the time, and the
// closure observes the delay when the loop runs it. A periodic probe,
// rather than a timestamp on every event, keeps clock reads off the
// request path; a loop that falls behind delays the probe like anything
// else.
func (d *Driver) probeLag(ctx context.Context) {
	t := d.clk.Ticker(d.cfg.LagProbeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sent := d.clk.Now()
		probe := func() { d.metrics.loopLag.Observe(d.clk.Since(sent).Seconds()) }
		select {
		case d.in <- probe: // a full queue blocks here: that wait is lag too
		case <-ctx.Done():
			return
		}
	}
}
