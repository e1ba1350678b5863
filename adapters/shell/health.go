package shell

import (
	"context"
	"fmt"
	"github.com/waiter-go/waiter/internal/healthcheck"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// monitor health-checks in until it stops. An instance that is not healthy
// is probed often (see Config.StartProbeInterval), so that the driver
// learns of a ready instance within milliseconds; a healthy one at the
// health-check interval.
func (s *Scheduler) monitor(in *instance) {
	url := healthURL(&in.svc.spec, in.ports)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.spawn(func() { // a probe in flight ends as soon as the instance stops
		select {
		case <-in.stopCh:
			cancel()
		case <-ctx.Done():
		}
	})
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-in.stopCh:
			return
		case <-t.C:
		}
		res := s.probe.Check(ctx, url)
		next, ok := s.afterProbe(in, res)
		if !ok {
			return
		}
		t.Reset(next)
	}
}

// afterProbe applies a probe's result to in and enforces the grace period.
// It returns when to probe next, or false once the instance stops.
func (s *Scheduler) afterProbe(in *instance, res healthcheck.Result) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.stopping {
		return 0, false
	}
	sp := &in.svc.spec
	in.flags |= res.Flags
	// The last status, 0 when nothing answered: a 401 here is how the
	// engine tells "health check requires authentication".
	in.hcStatus = res.Status

	was := in.healthy
	if res.Healthy() {
		in.failedProbe = 0
		in.healthy, in.everHealthy = true, true
	} else {
		in.failedProbe++
		// A healthy instance turns unhealthy only after
		// health-check-max-consecutive-failures misses in a row, so one
		// slow answer under load does not take it out of rotation.
		if in.healthy && in.failedProbe >= sp.HealthCheckMaxFailures {
			in.healthy = false
		}
	}
	if in.healthy != was {
		s.notify(sp.ServiceID)
	}

	now := s.cfg.Now()
	if !in.healthy && sp.GracePeriod > 0 && now.Sub(in.graceFrom) >= sp.GracePeriod {
		// Waiter's shell scheduler kills an instance unhealthy past its
		// grace period; the flag only applies if it never was healthy.
		var flags engine.InstanceFlags
		msg := fmt.Sprintf("Failed %d consecutive health checks", in.failedProbe)
		if !in.everHealthy {
			flags = engine.FlagNeverPassedHealthChecks
			msg = "Exceeded grace period of " + engine.FormatNumber(sp.GracePeriod.Seconds()) + " seconds"
		}
		s.fail(in, flags, msg, nil, sp.TerminationGracePeriod)
		return 0, false
	}
	return s.probeInterval(in, now), true
}

// probeInterval is the wait before in's next probe. s.mu held.
func (s *Scheduler) probeInterval(in *instance, now time.Time) time.Duration {
	every := s.cfg.HealthCheckInterval
	if every <= 0 {
		every = in.svc.spec.HealthCheckInterval
	}
	if every <= 0 {
		every = defaultHealthCheckInterval
	}
	if in.healthy {
		return every
	}
	return engine.StartupProbeInterval(now.Sub(in.graceFrom), s.cfg.StartProbeInterval, s.cfg.MaxStartProbeInterval, every)
}
