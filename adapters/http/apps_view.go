package waiterhttp

import (
	"sort"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Service status labels (resolve-service-status in service.clj).
const (
	statusFailing  = "Failing"
	statusInactive = "Inactive"
	statusStarting = "Starting"
	statusRunning  = "Running"
)

// serviceStatus labels a service like Waiter's /apps. A running service
// carries the engine's label (engine.ServiceSnapshot.Status), so Failing
// shows the moment the engine computes a deployment error; for a snapshot
// without one the same rules apply to its counts: a deployment error makes
// it Failing; nothing requested or scheduled, Inactive; nothing healthy
// yet, Starting; else Running.
func serviceStatus(s waiter.ServiceSnapshot) string {
	if s.Status != "" {
		return s.Status
	}
	switch {
	case s.DeploymentError != "":
		return statusFailing
	case s.Requested == 0 && s.Scheduled == 0 && len(s.Instances) == 0:
		return statusInactive
	case s.Healthy() == 0:
		return statusStarting
	}
	return statusRunning
}

func coreOf(s waiter.ServiceSnapshot) map[string]any {
	if s.Description == nil {
		return map[string]any{}
	}
	return s.Description.Core
}

func requestMetrics(s waiter.ServiceSnapshot) map[string]any {
	return map[string]any{
		"outstanding":                    s.Waiting + s.InFlight,
		"waiting-for-available-instance": s.Waiting,
		"in-flight":                      s.InFlight,
		"total":                          s.TotalRequests,
	}
}

func resourceUsage(s waiter.ServiceSnapshot) map[string]any {
	n := float64(len(s.Instances))
	var cpus, mem float64
	if s.Description != nil {
		cpus, mem = s.Description.CPUs, s.Description.MemMB
	}
	return map[string]any{"cpus": n * cpus, "mem": n * mem}
}

func instanceCounts(s waiter.ServiceSnapshot) map[string]any {
	h := s.Healthy()
	return map[string]any{"healthy-instances": h, "unhealthy-instances": len(s.Instances) - h,
		"requested-instances": s.Requested, "scheduled-instances": s.Scheduled}
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// flagNames lists an instance's flags by Waiter's names. An instance the
// engine considers expired (by age or by consecutive failures, not only
// because the scheduler said so) carries Waiter's "expired" flag.
func flagNames(f engine.InstanceFlags, expired bool) []string {
	if expired {
		f |= engine.FlagExpired
	}
	names := []struct {
		flag engine.InstanceFlags
		name string
	}{
		{engine.FlagExpired, "expired"}, {engine.FlagMemoryLimitExceeded, "memory-limit-exceeded"},
		{engine.FlagNeverPassedHealthChecks, "never-passed-health-checks"}, {engine.FlagHasConnected, "has-connected"},
		{engine.FlagHasResponded, "has-responded"}, {engine.FlagTimeoutException, "timeout-exception"},
		{engine.FlagSSLException, "ssl-exception"},
	}
	out := []string{}
	for _, n := range names {
		if f&n.flag != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func instanceView(serviceID string, in waiter.InstanceSnapshot) map[string]any {
	m := map[string]any{
		"id": in.ID, "service-id": serviceID, "host": in.Host, "port": in.Port,
		"started-at": timeOrNil(in.StartedAt), "healthy?": in.Healthy,
		"health-check-status": in.HealthCheckStatus, "flags": flagNames(in.Flags, in.Expired),
		"requests-in-flight": in.InFlight,
	}
	if in.HasExitCode {
		m["exit-code"] = in.ExitCode
	}
	if in.Message != "" {
		m["message"] = in.Message
	}
	return m
}

func instancesView(serviceID string, list []waiter.InstanceSnapshot) []map[string]any {
	out := make([]map[string]any, 0, len(list))
	for _, in := range list {
		out = append(out, instanceView(serviceID, in))
	}
	return out
}

// appSummary is one entry of GET /apps.
func (s *Server) appSummary(snap waiter.ServiceSnapshot, include map[string]bool) map[string]any {
	m := map[string]any{
		"service-id":          snap.ID,
		"service-description": coreOf(snap),
		"instance-counts":     instanceCounts(snap),
		"request-metrics":     requestMetrics(snap),
		"resource-usage":      resourceUsage(snap),
		"last-request-time":   timeOrNil(snap.LastRequestTime),
		"status":              serviceStatus(snap),
		"scaling-state":       snap.ScalingState,
		"source-tokens":       nonNil(s.sourcesOf(snap.ID)),
		"url":                 "/apps/" + snap.ID,
	}
	if include["effective-parameters"] && snap.Description != nil {
		m["effective-parameters"] = snap.Description.Effective()
	}
	s.appExtras(m, snap, m["source-tokens"].([]tokenRef), include)
	return m
}

// appDetails is GET /apps/{id}.
func (s *Server) appDetails(snap waiter.ServiceSnapshot, ov, sus waiter.Change, include map[string]bool) map[string]any {
	m := s.appSummary(snap, include)
	delete(m, "url")
	m["router-id"] = s.cfg.RouterID
	m["instances"] = map[string]any{
		"active-instances": instancesView(snap.ID, snap.Instances),
		"failed-instances": instancesView(snap.ID, snap.Failed),
		"killed-instances": instancesView(snap.ID, snap.Killed),
	}
	m["num-active-instances"] = len(snap.Instances)
	m["service-description-overrides"] = changeView(ov, map[string]any{"overrides": nonNilMap(ov.Overrides)})
	m["service-suspended-state"] = changeView(sus, map[string]any{"suspended": sus.Suspended})
	return m
}

func changeView(c waiter.Change, m map[string]any) map[string]any {
	if c.User != "" {
		m["last-updated-by"] = c.User
	}
	if !c.Time.IsZero() {
		m["time"] = c.Time.UTC().Format(time.RFC3339Nano)
	}
	return m
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func sortSnapshots(list []waiter.ServiceSnapshot) {
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
}
