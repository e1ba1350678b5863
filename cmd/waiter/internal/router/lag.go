package router

import "context"

// probeLag measures how long work waits for the driver's lock: every
// LagProbeInterval it runs a closure stamped with the time, and the
// closure observes the delay once it holds the lock. A periodic probe,
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
		// The wait for the lock is the lag every event sees.
		d.do(func() { d.metrics.loopLag.Observe(d.clk.Since(sent).Seconds()) })
	}
}
