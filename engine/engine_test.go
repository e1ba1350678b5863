package engine

import (
	"strings"
	"testing"
	"time"
)

func TestFirstRequestCreatesServiceQueuesThenDispatches(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"min-instances": 2.0})
	acts := h.arrive(1, d)
	creates := only(acts, ActCreateService)
	if len(creates) != 1 || creates[0].Instances != 2 || creates[0].Description != d {
		t.Fatalf("want one create with min-instances 2, got %s", describe(acts))
	}
	if len(only(acts, ActDispatch)) != 0 {
		t.Fatal("dispatched with no instance")
	}
	h.advance(time.Second)
	acts = h.observe(d, 2, ObservedInstance{ID: "a", StartedAt: h.now})
	if len(only(acts, ActDispatch)) != 0 {
		t.Fatal("dispatched to an unhealthy instance")
	}
	acts = h.observe(d, 2, healthyAt("a", h.now))
	ds := only(acts, ActDispatch)
	if len(ds) != 1 || ds[0].Request != 1 || ds[0].Instance != "a" {
		t.Fatalf("queued request not dispatched when the instance became healthy: %s", describe(acts))
	}
	if acts := h.arrive(2, d); len(only(acts, ActCreateService)) != 0 {
		t.Fatal("service created twice")
	}
}

func TestSlotsFollowConcurrencyLevel(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"concurrency-level": 2.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.arrive(2, d)
	if acts := h.arrive(3, d); len(only(acts, ActDispatch)) != 0 {
		t.Fatal("third request dispatched to an instance with two slots")
	}
	acts := h.finish(1, OutcomeSuccess)
	if ds := only(acts, ActDispatch); len(ds) != 1 || ds[0].Request != 3 {
		t.Fatalf("freed slot not given to the queued request: %s", describe(acts))
	}
}

func TestMaxQueueLength(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"max-queue-length": 2.0})
	h.arrive(1, d)
	h.arrive(2, d)
	acts := h.arrive(3, d)
	rs := only(acts, ActReject)
	if len(rs) != 1 || rs[0].Err.Message != MsgMaxQueueLength || rs[0].Err.Code != CodeUnavailable {
		t.Fatalf("want 503 Max queue length exceeded, got %s", describe(acts))
	}
}

func TestQueueTimeoutWithWaitersHints(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.step(Event{Kind: EvRequestArrived, Service: d.ID, Request: 1, Description: d, QueueTimeout: 5 * time.Second})
	h.observe(d, 1, ObservedInstance{ID: "a", StartedAt: epoch}) // unhealthy
	var rejects []Action
	for i := 0; i < 6 && len(rejects) == 0; i++ {
		rejects = only(h.advance(time.Second), ActReject)
	}
	if len(rejects) != 1 {
		t.Fatal("queued request not rejected after its queue timeout")
	}
	msg := rejects[0].Err.Message
	if !strings.HasPrefix(msg, "After 5 seconds, no instance available to handle request.") || !strings.Contains(msg, MsgStartProperly) {
		t.Errorf("message = %q", msg)
	}
	if h.now.Sub(epoch) != 5*time.Second {
		t.Errorf("rejected at %v, want exactly at the 5 s deadline", h.now.Sub(epoch))
	}

	// With a busy healthy instance the hint is about scaling.
	h2 := newHarness(t, Config{})
	h2.arrive(1, d)
	h2.observe(d, 1, healthyAt("a", epoch))
	h2.step(Event{Kind: EvRequestArrived, Service: d.ID, Request: 2, QueueTimeout: 2 * time.Second})
	acts := h2.advance(2 * time.Second)
	if rs := only(acts, ActReject); len(rs) != 1 || !strings.Contains(rs[0].Err.Message, MsgScaleProperly) {
		t.Errorf("want scale hint, got %s", describe(acts))
	}
}

func TestWakeAtAnnouncesQueueDeadline(t *testing.T) {
	h := newHarness(t, Config{ScalingInterval: time.Hour})
	d := mustDesc(t, nil)
	acts := h.step(Event{Kind: EvRequestArrived, Service: d.ID, Request: 1, Description: d, QueueTimeout: 3 * time.Second})
	wakes := only(acts, ActWakeAt)
	if len(wakes) != 1 || !wakes[0].At.Equal(epoch.Add(3*time.Second)) {
		t.Fatalf("want wake at the queue deadline, got %s", describe(acts))
	}
	if acts[len(acts)-1].Kind != ActWakeAt {
		t.Error("WakeAt must be the last action of a step")
	}
}

func TestLoadBalancingOldestYoungestRandom(t *testing.T) {
	insts := []ObservedInstance{healthyAt("old", epoch), healthyAt("mid", epoch.Add(time.Minute)), healthyAt("new", epoch.Add(2*time.Minute))}
	for _, tc := range []struct{ lb, want string }{{"oldest", "old"}, {"youngest", "new"}} {
		h := newHarness(t, Config{})
		d := mustDesc(t, Params{"load-balancing": tc.lb})
		h.arrive(1, d)
		h.observe(d, 3, insts...)
		h.finish(1, OutcomeSuccess)
		for id := RequestID(2); id < 6; id++ {
			ds := only(h.arrive(id, d), ActDispatch)
			if len(ds) != 1 || ds[0].Instance != tc.want {
				t.Fatalf("%s: request %d went to %s", tc.lb, id, describe(ds))
			}
			h.finish(id, OutcomeSuccess)
		}
	}
	counts := map[string]int{}
	h := newHarness(t, Config{Seed: 7})
	d := mustDesc(t, Params{"load-balancing": "random"})
	h.arrive(1, d)
	h.observe(d, 3, insts...)
	h.finish(1, OutcomeSuccess)
	for id := RequestID(2); id < 302; id++ {
		ds := only(h.arrive(id, d), ActDispatch)
		counts[ds[0].Instance]++
		h.finish(id, OutcomeSuccess)
	}
	for _, name := range []string{"old", "mid", "new"} {
		if counts[name] < 60 { // >= 20 % each, as test-load-balancing-random asserts
			t.Errorf("random LB gave %s only %d of 300", name, counts[name])
		}
	}
}

func TestEjectionBackoffAndExpiry(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.observe(d, 2, healthyAt("a", epoch), healthyAt("b", epoch.Add(time.Second)))
	if h.e.services[d.ID].instances["a"].inflight != 1 {
		t.Fatal("request 1 should be on the oldest instance")
	}
	h.finish(1, OutcomeInstanceBusy) // a 503 ejects "a" for 10 s
	ds := only(h.arrive(2, d), ActDispatch)
	if len(ds) != 1 || ds[0].Instance != "b" {
		t.Fatalf("ejected instance still used: %s", describe(ds))
	}
	h.finish(2, OutcomeSuccess)
	h.advance(9 * time.Second)
	if ds := only(h.arrive(3, d), ActDispatch); ds[0].Instance != "b" {
		t.Fatal("instance un-ejected before 10 s")
	}
	h.finish(3, OutcomeSuccess)
	h.advance(time.Second)
	if ds := only(h.arrive(4, d), ActDispatch); ds[0].Instance != "a" {
		t.Fatalf("instance not back after 10 s: %s", describe(ds))
	}
	// Un-ejection by time does not reset the count: the 503 above and this
	// error make two consecutive failures; three more expire the instance.
	in := h.e.services[d.ID].instances["a"]
	h.finish(4, OutcomeInstanceError)
	if in.consecutiveFailures != 2 {
		t.Fatalf("consecutive failures = %d, want 2", in.consecutiveFailures)
	}
	for i := 0; i < 3; i++ {
		h.advanceBy(ejectPeriod(&h.e.cfg, in.consecutiveFailures))
		id := RequestID(10 + i)
		ds := only(h.arrive(id, d), ActDispatch)
		if len(ds) != 1 || ds[0].Instance != "a" {
			t.Fatalf("failure %d: want a, got %s (ejected=%v)", i+3, describe(ds), in.ejected)
		}
		h.finish(id, OutcomeInstanceError)
	}
	if !in.expired() || in.consecutiveFailures != 5 {
		t.Errorf("five consecutive failures must expire the instance (failures=%d)", in.consecutiveFailures)
	}
	// An expired instance is served last.
	h.advanceBy(ejectPeriod(&h.e.cfg, 5))
	if ds := only(h.arrive(20, d), ActDispatch); len(ds) != 1 || ds[0].Instance != "b" {
		t.Errorf("expired instance preferred over a fresh one: %s", describe(ds))
	}
}

func TestDeploymentErrorFailsWaitingRequestsAtOnce(t *testing.T) {
	h := newHarness(t, Config{DeploymentErrorMinHosts: 1})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.arrive(2, d)
	acts := h.step(Event{Kind: EvServiceObserved, Service: d.ID, Observation: &Observation{
		Exists: true, Requested: 1, Scheduled: 0,
		Failed: []ObservedInstance{
			{ID: "x", Host: "h", HasExitCode: true, ExitCode: 127},
			{ID: "y", Host: "h", HasExitCode: true, ExitCode: 127},
		}}})
	rs := only(acts, ActReject)
	if len(rs) != 2 || rs[0].Request != 1 || rs[1].Request != 2 {
		t.Fatalf("waiting requests not failed in order: %s", describe(acts))
	}
	if rs[0].Err.Message != "Deployment error: Invalid startup command" {
		t.Errorf("message = %q", rs[0].Err.Message)
	}
	if rs := only(h.arrive(3, d), ActReject); len(rs) != 1 || rs[0].Err.Reason != ReasonDeploymentError {
		t.Error("new request not refused while the deployment error holds")
	}
	// A healthy instance clears the error.
	h.observe(d, 1, healthyAt("z", h.now))
	if ds := only(h.arrive(4, d), ActDispatch); len(ds) != 1 {
		t.Error("deployment error did not clear with a healthy instance")
	}
}

// A scheduler that cannot launch at all says why; waiting requests fail
// at once with its words, with no failed instance to wait for, and the
// error goes when the scheduler stops reporting it.
func TestSchedulerDeploymentErrorFailsRequestsAtOnce(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	const why = "run-as-user alice does not exist on this host"
	acts := h.step(Event{Kind: EvServiceObserved, Service: d.ID, Observation: &Observation{
		Exists: true, Requested: 1, DeploymentError: why}})
	rs := only(acts, ActReject)
	if len(rs) != 1 || rs[0].Request != 1 || rs[0].Err.Code != CodeUnavailable || rs[0].Err.Reason != ReasonDeploymentError {
		t.Fatalf("the waiting request was not refused with a deployment error: %s", describe(acts))
	}
	if rs[0].Err.Message != "Deployment error: "+why {
		t.Errorf("message = %q, want the scheduler's reason", rs[0].Err.Message)
	}
	if rs := only(h.arrive(2, d), ActReject); len(rs) != 1 || rs[0].Err.Message != "Deployment error: "+why {
		t.Errorf("a new request was not refused at once: %s", describe(rs))
	}
	h.observe(d, 1) // the user exists now: nothing reported
	if acts := h.arrive(3, d); len(only(acts, ActReject)) != 0 {
		t.Errorf("the error outlived the scheduler's report: %s", describe(acts))
	}
	h.observe(d, 1, healthyAt("a", h.now))
	if ds := only(h.log, ActDispatch); len(ds) != 1 || ds[0].Request != 3 {
		t.Errorf("the queued request was not served once an instance was healthy: %s", describe(ds))
	}
}

func TestDeploymentErrorRules(t *testing.T) {
	f := func(flags InstanceFlags, host string) ObservedInstance {
		return ObservedInstance{ID: host, Host: host, Flags: flags}
	}
	cases := []struct {
		name      string
		failed    []ObservedInstance
		unhealthy []*instance
		want      string
	}{
		{"bad command", []ObservedInstance{{Host: "a", HasExitCode: true, ExitCode: 1}, {Host: "b", HasExitCode: true, ExitCode: 1}}, nil, DeployBadStartupCommand},
		{"memory", []ObservedInstance{f(FlagMemoryLimitExceeded|FlagHasConnected, "a"), f(FlagMemoryLimitExceeded|FlagHasConnected, "b")}, nil, DeployNotEnoughMemory},
		{"cannot connect", []ObservedInstance{f(FlagNeverPassedHealthChecks, "a"), f(0, "b")}, nil, DeployCannotConnect},
		{"timed out", []ObservedInstance{f(FlagHasConnected, "a"), f(FlagHasConnected|FlagTimeoutException, "b")}, nil, DeployHealthCheckTimedOut},
		{"invalid response", []ObservedInstance{f(FlagHasConnected|FlagHasResponded|FlagNeverPassedHealthChecks, "a"), f(FlagHasConnected|FlagHasResponded|FlagNeverPassedHealthChecks, "b")}, nil, DeployInvalidHealthCheck},
		{"401", nil, []*instance{{id: "u", hcStatus: 401}}, DeployHealthCheckAuth},
		{"one host only", []ObservedInstance{{Host: "a", HasExitCode: true, ExitCode: 1}, {Host: "a", HasExitCode: true, ExitCode: 1}}, nil, ""},
		{"healthy instance", []ObservedInstance{{Host: "a", HasExitCode: true, ExitCode: 1}, {Host: "b", HasExitCode: true, ExitCode: 1}}, []*instance{{id: "h", healthy: true}}, ""},
	}
	for _, c := range cases {
		svc := &service{failed: c.failed, sorted: c.unhealthy}
		if got := deploymentError(svc, 2, 2); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestIdleServiceRemovedOnlyWithNothingOutstanding(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"idle-timeout-mins": 1.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	acts := h.advanceBy(5 * time.Minute) // request 1 still in flight
	if len(only(acts, ActDeleteService)) != 0 {
		t.Fatal("service removed while a request was outstanding")
	}
	h.finish(1, OutcomeSuccess)
	acts = h.advanceBy(59 * time.Second)
	if len(only(acts, ActDeleteService)) != 0 {
		t.Fatal("service removed before its idle timeout")
	}
	acts = h.advanceBy(2 * time.Second)
	if dels := only(acts, ActDeleteService); len(dels) != 1 || dels[0].Service != d.ID {
		t.Fatalf("idle service not removed: %s", describe(acts))
	}
	if acts := h.arrive(2, d); len(only(acts, ActCreateService)) != 1 {
		t.Error("next request after idle removal must create the service again")
	}
}

func TestScaleUpWaitsForPreviousScaleAndRespectsQuanta(t *testing.T) {
	h := newHarness(t, Config{QuantaCPUs: 4})
	d := mustDesc(t, Params{"cpus": 1.0, "scale-up-factor": 0.9, "max-instances": 100.0})
	for id := RequestID(1); id <= 50; id++ {
		h.arrive(id, d)
	}
	h.observe(d, 1, healthyAt("a", epoch))
	acts := h.advanceBy(2 * time.Second)
	scales := only(acts, ActScaleService)
	if len(scales) != 1 || scales[0].Instances != 5 {
		t.Fatalf("want one scale to 1+4 (quanta 4 cpus / 1 cpu), got %s", describe(acts))
	}
	// The scheduler has not scheduled the new tasks yet: no further scale-up.
	h.step(Event{Kind: EvScaleResult, Service: d.ID})
	h.observe(d, 5, healthyAt("a", epoch))
	if acts := h.advanceBy(3 * time.Second); len(only(acts, ActScaleService)) != 0 {
		t.Fatalf("scaled up while scheduled < requested: %s", describe(acts))
	}
}

func TestScaleDownKillsOnePerSecondChoosingIdle(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"scale-down-factor": 0.999})
	insts := []ObservedInstance{healthyAt("a", epoch), healthyAt("b", epoch.Add(time.Second)), healthyAt("c", epoch.Add(2*time.Second))}
	h.arrive(1, d) // lands on the oldest, "a"; the first scaling pass has no ticks
	h.observe(d, 3, insts...)
	acts := h.advance(time.Second)
	kills := only(acts, ActKillInstance)
	if len(kills) != 1 || kills[0].Instance != "c" {
		t.Fatalf("want only the youngest idle instance killed, got %s", describe(acts))
	}
	h.advance(500 * time.Millisecond)
	h.step(Event{Kind: EvKillResult, Service: d.ID, Instance: "c"})
	if acts := h.advance(500 * time.Millisecond); len(only(acts, ActKillInstance)) != 0 {
		t.Fatalf("second kill within a second of the first: %s", describe(acts))
	}
	acts = h.advance(time.Second)
	kills = only(acts, ActKillInstance)
	if len(kills) != 1 || kills[0].Instance != "b" {
		t.Fatalf("want b killed next (a is busy), got %s", describe(acts))
	}
	h.step(Event{Kind: EvKillResult, Service: d.ID, Instance: "b"})
	if acts := h.advanceBy(10 * time.Second); len(only(acts, ActKillInstance)) != 0 {
		t.Fatalf("killed below min-instances: %s", describe(acts))
	}
}

func TestKillChoicePrefersExpiredOldestFirst(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.finish(1, OutcomeSuccess)
	exp := func(id string, started time.Time) ObservedInstance {
		o := healthyAt(id, started)
		o.Flags = FlagExpired
		return o
	}
	h.observe(d, 4, healthyAt("fresh", epoch.Add(3*time.Second)), exp("e1", epoch), exp("e2", epoch.Add(time.Second)), ObservedInstance{ID: "sick", StartedAt: epoch.Add(-time.Hour)})
	svc := h.e.services[d.ID]
	if in := h.e.findKillable(svc); in == nil || in.id != "e1" {
		t.Fatalf("want oldest expired e1, got %+v", in)
	}
	svc.instances["e1"].locked = true
	svc.instances["e2"].locked = true
	if in := h.e.findKillable(svc); in == nil || in.id != "sick" {
		t.Fatalf("with expired instances around, a healthy unexpired instance must not be killed; got %+v", in)
	}
}

func TestSuspendRejectsAndResumeRestores(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	acts := h.step(Event{Kind: EvSuspend, Service: d.ID})
	if rs := only(acts, ActReject); len(rs) != 1 || rs[0].Err.Message != MsgSuspended {
		t.Fatalf("queued request not refused on suspend: %s", describe(acts))
	}
	if rs := only(h.arrive(2, d), ActReject); len(rs) != 1 {
		t.Fatal("suspended service accepted a request")
	}
	h.step(Event{Kind: EvResume, Service: d.ID})
	h.observe(d, 1, healthyAt("a", epoch))
	if ds := only(h.arrive(3, d), ActDispatch); len(ds) != 1 {
		t.Fatal("resumed service refused a request")
	}
}

func TestCancelQueuedAndDispatched(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.arrive(2, d)
	h.step(Event{Kind: EvRequestCanceled, Request: 1})
	acts := h.observe(d, 1, healthyAt("a", epoch))
	if ds := only(acts, ActDispatch); len(ds) != 1 || ds[0].Request != 2 {
		t.Fatalf("canceled request dispatched or live one skipped: %s", describe(acts))
	}
	h.arrive(3, d)
	acts = h.step(Event{Kind: EvRequestCanceled, Request: 2})
	if ds := only(acts, ActDispatch); len(ds) != 1 || ds[0].Request != 3 {
		t.Fatalf("slot of a canceled in-flight request not reused: %s", describe(acts))
	}
}

func TestPriorityRequestJumpsTheQueue(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.arrive(2, d)
	h.step(Event{Kind: EvRequestArrived, Service: d.ID, Request: 3, Priority: true})
	acts := h.finish(1, OutcomeSuccess)
	if ds := only(acts, ActDispatch); len(ds) != 1 || ds[0].Request != 3 {
		t.Fatalf("ping not served first: %s", describe(acts))
	}
}

func TestOverrideChangesBehaviourNotID(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.arrive(2, d)
	o, _ := d.WithOverrides(Params{"concurrency-level": 2.0}, DescriptionOptions{})
	acts := h.step(Event{Kind: EvOverride, Service: d.ID, Description: o})
	if ds := only(acts, ActDispatch); len(ds) != 1 || ds[0].Request != 2 {
		t.Fatalf("override of concurrency-level did not open a slot: %s", describe(acts))
	}
}

func TestUnknownServiceWithoutDescriptionIsRejected(t *testing.T) {
	h := newHarness(t, Config{})
	acts := h.step(Event{Kind: EvRequestArrived, Service: "nope", Request: 1})
	if rs := only(acts, ActReject); len(rs) != 1 || rs[0].Err.Code != CodeNotFound {
		t.Fatalf("got %s", describe(acts))
	}
}

func TestOperatorDeleteRejectsQueued(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	acts := h.step(Event{Kind: EvDeleteService, Service: d.ID})
	if len(only(acts, ActReject)) != 1 || len(only(acts, ActDeleteService)) != 1 {
		t.Fatalf("got %s", describe(acts))
	}
}

// Regression (found by TestEngineProperties): a canceled request left a
// stale earliest deadline behind, so a later request with a later
// deadline was never timed out.
func TestRegressionCanceledRequestLeavesStaleDeadline(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.step(Event{Kind: EvRequestArrived, Service: d.ID, Request: 1, Description: d, QueueTimeout: time.Second})
	h.step(Event{Kind: EvRequestCanceled, Request: 1})
	h.advance(time.Second)
	h.step(Event{Kind: EvRequestArrived, Service: d.ID, Request: 2, QueueTimeout: time.Second})
	acts := h.advance(time.Minute)
	if rs := only(acts, ActReject); len(rs) != 1 || rs[0].Request != 2 || rs[0].Err.Reason != ReasonQueueTimeout {
		t.Fatalf("request 2 not timed out: %s", describe(acts))
	}
}

func TestStartServiceWithoutRequest(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	acts := h.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	if len(only(acts, ActCreateService)) != 1 {
		t.Fatalf("start did not create: %s", describe(acts))
	}
	if acts := h.step(Event{Kind: EvStartService, Service: d.ID, Description: d}); len(only(acts, ActCreateService)) != 0 {
		t.Fatal("second start created again")
	}
}

func TestOperatorKillStopsRoutingAndKeepsCount(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.observe(d, 2, healthyAt("a", epoch), healthyAt("b", epoch.Add(time.Second)))
	h.finish(1, OutcomeSuccess)
	acts := h.step(Event{Kind: EvKillInstance, Service: d.ID, Instance: "a", Force: true})
	ks := only(acts, ActKillInstance)
	if len(ks) != 1 || !ks[0].Replace || !ks[0].Force || ks[0].Instance != "a" {
		t.Fatalf("want a forced replacing kill of a: %s", describe(acts))
	}
	if ds := only(h.arrive(2, d), ActDispatch); len(ds) != 1 || ds[0].Instance != "b" || ds[0].Host != "h-b" {
		t.Fatalf("killed instance still routed or host missing: %+v", ds)
	}
	h.step(Event{Kind: EvKillResult, Service: d.ID, Instance: "a"})
	if got := h.e.services[d.ID].requested; got != 2 {
		t.Errorf("operator kill changed requested to %d", got)
	}
}
