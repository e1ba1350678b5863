package waiterhttp

import "github.com/waiter-go/waiter"

// serviceStateView is the "state" of GET /state/{id}: the /apps view's
// counts plus what only a router sees, under Waiter's names
// (autoscaler-state, responder-state) so tools written for Waiter find
// scale-to-instances and healthy-instances where they look.
func serviceStateView(snap waiter.ServiceSnapshot) map[string]any {
	counts := instanceCounts(snap)
	counts["starting-instances"] = snap.Starting
	counts["expired-healthy-instances"] = snap.ExpiredHealthy
	counts["expired-unhealthy-instances"] = snap.ExpiredUnhealthy
	return map[string]any{
		"status":          serviceStatus(snap),
		"scaling-state":   snap.ScalingState,
		"suspended":       snap.Suspended,
		"observed":        snap.Observed,
		"requested":       snap.Requested,
		"scheduled":       snap.Scheduled,
		"request-metrics": requestMetrics(snap),
		"instance-counts": counts,
		"instances": map[string]any{
			"active-instances": instancesView(snap.ID, snap.Instances),
			"failed-instances": instancesView(snap.ID, snap.Failed),
			"killed-instances": instancesView(snap.ID, snap.Killed),
		},
		"deployment-error":   snap.DeploymentError,
		"last-request-time":  timeOrNil(snap.LastRequestTime),
		"last-activity-time": timeOrNil(snap.LastActivity),
		"stale":              !snap.StaleGCAt.IsZero(),
		"stale-gc-time":      timeOrNil(snap.StaleGCAt),
		"autoscaler-state":   autoscalerView(snap),
		"responder-state":    responderView(snap),
	}
}

// autoscalerView is the policy's latest decision and the inputs it saw
// (Waiter's autoscaler state: scale-amount, scale-to-instances,
// target-instances). Before the first decision the decision fields are
// null: a zero would read as "scale to nothing".
func autoscalerView(snap waiter.ServiceSnapshot) map[string]any {
	a := snap.Autoscaler
	m := map[string]any{
		"policy":               a.Policy,
		"scaling-state":        snap.ScalingState,
		"outstanding-requests": snap.Waiting + snap.InFlight,
		"healthy-instances":    snap.Healthy(),
		"expired-instances":    snap.ExpiredHealthy + snap.ExpiredUnhealthy,
		"total-instances":      snap.Requested,
		"task-count":           snap.Scheduled,
		"scale-amount":         nil,
		"scale-to-instances":   nil,
		"target-instances":     nil,
	}
	if a.Decided {
		m["scale-amount"] = a.Decision.ScaleAmount
		m["scale-to-instances"] = a.Decision.ScaleTo
		m["target-instances"] = a.Decision.Target
	}
	return m
}

// responderView is the routing state of each instance: Waiter's status
// tags (healthy, unhealthy, starting, expired, ejected, locked, killed)
// and the slots this router uses on it.
func responderView(snap waiter.ServiceSnapshot) map[string]any {
	cl := 1
	if snap.Description != nil && snap.Description.ConcurrencyLevel > 0 {
		cl = snap.Description.ConcurrencyLevel
	}
	states := map[string]any{}
	add := func(in waiter.InstanceSnapshot) {
		st := map[string]any{"status-tags": statusTags(in), "slots-assigned": cl, "slots-used": in.InFlight,
			"consecutive-failures": in.ConsecutiveFailures}
		if in.Ejected {
			st["ejected-until"] = timeOrNil(in.EjectedUntil)
		}
		states[in.ID] = st
	}
	for _, in := range snap.Instances {
		add(in)
	}
	for _, in := range snap.Killed {
		if in.Killed { // still listed by the scheduler, so still the engine's
			add(in)
		}
	}
	return map[string]any{"free-slots": snap.FreeSlots, "waiting": snap.Waiting, "in-flight": snap.InFlight,
		"instance-id->state": states}
}

func statusTags(in waiter.InstanceSnapshot) []string {
	tags := []string{}
	tag := func(on bool, name string) {
		if on {
			tags = append(tags, name)
		}
	}
	tag(in.Healthy, "healthy")
	tag(!in.Healthy, "unhealthy")
	tag(in.Starting, "starting")
	tag(in.Expired, "expired")
	tag(in.Ejected, "ejected")
	tag(in.Locked, "locked")
	tag(in.Killed, "killed")
	return tags
}
