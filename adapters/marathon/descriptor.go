package marathon

import (
	"fmt"
	"strings"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/engine"
)

// descriptor is the Marathon app Waiter creates for d with instances
// requested (default-marathon-descriptor-builder, reference 8.2).
func (s *Scheduler) descriptor(d *engine.Description, instances int) (*gomarathon.Application, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: no description", ErrInvalidService)
	}
	if d.CmdType != "" && d.CmdType != "shell" {
		return nil, fmt.Errorf("%w: service %s: cmd-type %q is not supported on Marathon", ErrInvalidService, d.ID, d.CmdType)
	}
	if strings.TrimSpace(d.Cmd) == "" || d.ID == "" {
		return nil, fmt.Errorf("%w: service %q: id and cmd are required", ErrInvalidService, d.ID)
	}
	ports := max(d.Ports, 1)
	if d.HealthCheckPortIndex < 0 || d.HealthCheckPortIndex >= ports {
		return nil, fmt.Errorf("%w: service %s: health-check-port-index %d needs more than %d ports",
			ErrInvalidService, d.ID, d.HealthCheckPortIndex, ports)
	}
	a := &gomarathon.Application{ID: d.ID, CPUs: d.CPUs, Ports: make([]int, ports)}
	mem := d.MemMB
	a.Mem = &mem
	a.Instances = &instances
	if len(s.cfg.ContainerInitCommands) > 0 {
		args := append(append([]string(nil), s.cfg.ContainerInitCommands...), d.Cmd)
		a.Args = &args
	} else {
		cmd := d.Cmd
		a.Cmd = &cmd
	}
	env := s.environment(d)
	a.Env = &env
	user := s.runAs(d)
	a.User = user
	labels := map[string]string{"source": "waiter", "user": user}
	if ns, _ := d.Param("namespace").(string); ns != "" {
		labels["namespace"] = ns
	}
	a.Labels = &labels
	factor := d.RestartBackoffFactor
	if factor >= 1 {
		a.BackoffFactor = &factor
	}
	if d.TerminationGracePeriod > 0 {
		g := d.TerminationGracePeriod.Seconds()
		a.TaskKillGracePeriodSeconds = &g
	}
	hc := healthCheck(d)
	a.HealthChecks = &[]gomarathon.HealthCheck{hc}
	return a, nil
}

// healthCheck is the app's one health check: Waiter's health-check
// parameters, timeout 20 s, grace period grace-period-secs or, when that
// is 0, twice instance-expiry-mins. go-marathon leaves out a grace of 0,
// which Marathon reads as its default (300 s).
func healthCheck(d *engine.Description) gomarathon.HealthCheck {
	path := d.HealthCheckURL
	if path == "" {
		path = "/status"
	}
	idx, maxFailures := d.HealthCheckPortIndex, d.HealthCheckMaxFailures
	grace := d.GracePeriod
	if grace == 0 {
		grace = 2 * d.InstanceExpiry
	}
	return gomarathon.HealthCheck{
		Protocol: healthProtocol(d), Path: &path, PortIndex: &idx, MaxConsecutiveFailures: &maxFailures,
		GracePeriodSeconds: int(grace.Seconds()), IntervalSeconds: int(d.HealthCheckInterval.Seconds()),
		TimeoutSeconds: healthCheckTimeoutSeconds,
	}
}

// healthProtocol is HTTP or HTTPS from health-check-proto, else
// backend-proto (h2c is HTTP, h2 is HTTPS).
func healthProtocol(d *engine.Description) string {
	proto, _ := d.Param("health-check-proto").(string)
	if proto == "" {
		proto = d.BackendProto
	}
	if proto == "https" || proto == "h2" {
		return "HTTPS"
	}
	return "HTTP"
}
