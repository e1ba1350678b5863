package shell

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/healthcheck"
)

// monitor health-checks in until it stops. An instance that is not healthy
// is probed often (see Config.StartProbeInterval), so that the driver
// learns of a ready instance within milliseconds; a healthy one at the
// health-check interval.
//
// Each probe runs when a timer fires (probeRound), on a goroutine that
// ends with it, rather than on a goroutine of the instance's own waiting
// between probes: an idle router with a thousand instances then keeps a
// thousand timers, not a thousand goroutine stacks (about 4 KB each).
// Shutdown's wait group counts a round from when it is armed to its end.
// s.mu may be held.
func (s *Scheduler) monitor(in *instance) {
	in.probeMu.Lock()
	defer in.probeMu.Unlock()
	s.wg.Add(1)
	in.probeTimer = time.AfterFunc(0, func() { s.probeRound(in) })
	// Stopping cancels a probe in flight (through in.stopped, its
	// context) and a round armed but not begun, here.
	context.AfterFunc(in.stopped, func() {
		in.probeMu.Lock()
		defer in.probeMu.Unlock()
		in.probesEnded = true
		if in.probeTimer.Stop() {
			s.wg.Done() // the armed round will not run
		}
	})
}

// probeRound sends one probe to in and arms the next, unless in stops.
// Rounds never overlap: the next is armed as this one ends.
func (s *Scheduler) probeRound(in *instance) {
	defer s.wg.Done()
	// Taking probeMu orders this round after the last one's end (its
	// Reset), whose goroutine wrote the probe fields below.
	in.probeMu.Lock()
	ended := in.probesEnded
	in.probeMu.Unlock()
	if ended {
		return
	}
	in.probes++
	in.probeStart = s.cfg.Now()
	res, conn, foreign := s.probeOnce(in.stopped, in, healthURL(&in.svc.spec, in.ports))
	if foreign {
		return
	}
	next, ok := s.afterProbe(in, res, conn)
	if !ok {
		return
	}
	in.probeMu.Lock()
	defer in.probeMu.Unlock()
	if !in.probesEnded {
		s.wg.Add(1) // this round's own count keeps the group above zero
		in.probeTimer.Reset(next)
	}
}

// probeOnce health-checks in. While in is not healthy it is connected to
// first, and its ports are verified once it accepts (authentic.go): the
// check is only sent to a socket of its own. A refused connect, what a
// starting instance answers until it listens, is the cheapest way to
// learn that (about 15 µs, against about 70 for reading the listening
// sockets), which is what lets a starting instance be probed every
// quarter millisecond (engine.StartupProbeInterval). When nothing
// listens yet the result is that of a refused connection, and when
// another process holds a port the instance is failed and foreign is
// true; the connection made is then closed unused. conn is the
// connection of a healthy answer that can carry a request
// (healthcheck.Prober.CheckOver), for afterProbe to give the proxy.
func (s *Scheduler) probeOnce(ctx context.Context, in *instance, url string) (res healthcheck.Result, conn net.Conn, foreign bool) {
	s.mu.Lock()
	healthy := in.healthy
	s.mu.Unlock()
	if healthy {
		return s.probe.Check(ctx, url), nil, false
	}
	addr := net.JoinHostPort(Host, strconv.Itoa(in.ports[in.svc.spec.HealthCheckPortIndex]))
	d := net.Dialer{Timeout: s.cfg.HealthCheckTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		// Refused: nothing listens yet. A connect that times out (a
		// listener whose backlog is full) is a check that timed out.
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return healthcheck.Result{Flags: engine.FlagTimeoutException}, nil, false
		}
		return healthcheck.Result{}, nil, false
	}
	switch state, msg := s.verifyPorts(in); state {
	case portsNotListening:
		// It stopped listening between the connect and the check.
		_ = conn.Close()
		return healthcheck.Result{}, nil, false
	case portsUnknown:
		_ = conn.Close()
		if !in.verifyErrLogged {
			in.verifyErrLogged = true
			s.log.Error("shell: cannot verify an instance's ports; it is not health-checked until it can be",
				"instance", in.id, "err", msg)
		}
		return healthcheck.Result{}, nil, false
	case portsForeign:
		_ = conn.Close()
		s.failForeign(in, msg)
		return healthcheck.Result{}, nil, true
	}
	res, conn = s.probe.CheckOver(ctx, url, conn)
	return res, conn, false
}

// afterProbe applies a probe's result to in and enforces the grace period.
// It returns when to probe next, or false once the instance stops. conn,
// when not nil, is the probe's connection, kept open after a healthy
// answer: it goes to the proxy if this answer makes in healthy, and is
// closed otherwise.
func (s *Scheduler) afterProbe(in *instance, res healthcheck.Result, conn net.Conn) (time.Duration, bool) {
	// Deferred before the lock is taken, so it runs after it is
	// released: a close is a system call, and s.mu serves every probe.
	defer func() {
		if conn != nil { // not given to the proxy
			_ = conn.Close()
		}
	}()
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
	if res.Healthy() && !in.everHealthy {
		// A cold start's timeline, for the debug log: from the launch to
		// the start of the probe that found the instance ready (the
		// service's own start-up plus the probe cadence's lag), and the
		// probe itself (the port check and the health check).
		now := s.cfg.Now()
		s.log.Debug("shell: first healthy probe", "instance", in.id,
			"since-launch", now.Sub(in.graceFrom), "probe-began-after", in.probeStart.Sub(in.graceFrom),
			"probe", now.Sub(in.probeStart), "probes", in.probes)
	}
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
		if in.healthy && conn != nil {
			s.giveConn(in, conn)
			conn = nil
		}
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

// giveConn gives the proxy the connection of the probe that found in
// ready (Config.WarmConns), before the router hears of it, so that the
// request it dispatches there skips a connect. Only a connection to the
// port the proxy uses (the health-check port is the first) of a service
// it speaks HTTP/1.1 to is of use; another is closed. s.mu held.
func (s *Scheduler) giveConn(in *instance, conn net.Conn) {
	sp := &in.svc.spec
	if s.cfg.WarmConns == nil || sp.HealthCheckPortIndex != 0 || (sp.BackendProto != "" && sp.BackendProto != "http") {
		_ = conn.Close()
		return
	}
	s.cfg.WarmConns.Put(net.JoinHostPort(Host, strconv.Itoa(in.ports[0])), conn)
}
