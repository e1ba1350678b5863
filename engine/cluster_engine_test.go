package engine

import (
	"testing"
	"time"
)

var threeRouters = []string{"r1", "r2", "r3"}

// clusterHarness is a harness for router self of a cluster of three.
func clusterHarness(t *testing.T, self string, leader bool, cfg Config) *harness {
	cfg.RouterID = self
	h := newHarness(t, cfg)
	h.step(Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: threeRouters, Leader: leader}})
	return h
}

// six healthy instances i1..i6 started together: HRW ranks them as in
// TestRankInstancesGolden.
func sixInstances() []ObservedInstance {
	var out []ObservedInstance
	for _, id := range []string{"i1", "i2", "i3", "i4", "i5", "i6"} {
		out = append(out, healthyAt(id, epoch))
	}
	return out
}

func dispatchedTo(acts []Action) map[string]int {
	m := map[string]int{}
	for _, a := range only(acts, ActDispatch) {
		m[a.Instance]++
	}
	return m
}

// TestClusterRoutesOnlyOverOwnSlots: r1 owns i2 and i5 of six
// instances (balanced, concurrency 1): two requests go there, the third
// waits although four instances are idle (they are the peers' slots).
func TestClusterRoutesOnlyOverOwnSlots(t *testing.T) {
	h := clusterHarness(t, "r1", true, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.observe(d, 6, sixInstances()...)
	h.arrive(2, d)
	acts := h.arrive(3, d)
	got := dispatchedTo(h.log)
	if len(got) != 2 || got["i2"] != 1 || got["i5"] != 1 || len(only(acts, ActDispatch)) != 0 {
		t.Fatalf("want requests on i2 and i5 only and the third queued, got %v / %s", got, describe(acts))
	}
	c := h.e.Counters(d.ID)
	if c.Outstanding != 3 || c.Waiting != 1 || c.SlotsInUse != 2 || c.SlotsAvailable != 0 {
		t.Fatalf("counters %+v", c)
	}
	var slots []InstanceSlots
	slots = h.e.AppendSlots(d.ID, slots)
	if len(slots) != 2 || slots[0].Owned != 1 || slots[1].Owned != 1 {
		t.Fatalf("slots %+v", slots)
	}
}

// TestClusterSumScalesAndOnlyTheLeaderActs: a peer's outstanding requests
// count for the autoscaler; the leader scales, a follower computes the
// same decision and emits nothing; a peer's counters expire after the TTL.
func TestClusterSumScalesAndOnlyTheLeaderActs(t *testing.T) {
	for _, leader := range []bool{true, false} {
		h := clusterHarness(t, "r1", leader, Config{})
		d := mustDesc(t, Params{"scale-up-factor": 0.99})
		h.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
		h.observe(d, 1, healthyAt("i1", epoch))
		h.advance(time.Second)
		h.step(Event{Kind: EvPeerCounters, Peer: &PeerCounters{Router: "r2", At: h.now,
			Services: []ServiceCounters{{Service: d.ID, Outstanding: 10, Waiting: 10, LastRequest: h.now}}}})
		acts := h.advance(time.Second)
		scales := only(acts, ActScaleService)
		if leader && (len(scales) != 1 || scales[0].Instances < 5) {
			t.Fatalf("leader: want a scale-up for the peer's 10 outstanding, got %s", describe(acts))
		}
		if !leader && len(scales)+len(only(acts, ActKillInstance))+len(only(acts, ActDeleteService)) != 0 {
			t.Fatalf("follower emitted scheduler actions: %s", describe(acts))
		}
		if !leader {
			if dec := h.e.services[d.ID].lastDecision; dec.ScaleAmount <= 0 {
				t.Fatalf("follower did not compute the scale-up: %+v", dec)
			}
		}
		if got := h.e.clusterOutstanding(h.e.services[d.ID]); got != 10 {
			t.Fatalf("cluster outstanding %d, want 10", got)
		}
		h.advance(3 * time.Second)
		if got := h.e.clusterOutstanding(h.e.services[d.ID]); got != 0 {
			t.Fatalf("stale peer still counts: %d", got)
		}
	}
}

// TestClusterFollowerKeepsIdleService: idle removal is the leader's; a
// follower keeps the service, and the leader keeps it while a peer
// reports recent requests.
func TestClusterFollowerKeepsIdleService(t *testing.T) {
	d := mustDesc(t, Params{"idle-timeout-mins": 1.0})
	f := clusterHarness(t, "r2", false, Config{})
	f.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	f.observe(d, 1, healthyAt("i1", epoch))
	if acts := f.advanceBy(2 * time.Minute); len(only(f.log, ActDeleteService)) != 0 {
		t.Fatalf("follower removed an idle service: %s", describe(acts))
	}
	l := clusterHarness(t, "r1", true, Config{})
	l.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	l.observe(d, 1, healthyAt("i1", epoch))
	for range 90 {
		l.advance(time.Second)
		l.step(Event{Kind: EvPeerCounters, Peer: &PeerCounters{Router: "r2", At: l.now,
			Services: []ServiceCounters{{Service: d.ID, LastRequest: l.now}}}})
	}
	if len(only(l.log, ActDeleteService)) != 0 {
		t.Fatal("leader removed a service a peer keeps using")
	}
	l.advanceBy(70 * time.Second)
	if len(only(l.log, ActDeleteService)) != 1 {
		t.Fatal("leader did not remove the service idle everywhere")
	}
}

// TestClusterKillAsksPeersFirst: the leader's scale-down asks the peers to
// eject its victim; a veto cancels the kill (the instance serves again
// and is not chosen again at once); an agreement kills it.
func TestClusterKillAsksPeersFirst(t *testing.T) {
	h := clusterHarness(t, "r1", true, Config{})
	// Concurrency 3 over three routers: r1 owns one slot of each instance.
	d := mustDesc(t, Params{"scale-down-factor": 0.999, "concurrency-level": 3.0})
	insts := []ObservedInstance{healthyAt("i1", epoch), healthyAt("i2", epoch.Add(time.Second)), healthyAt("i3", epoch.Add(2*time.Second))}
	h.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	h.observe(d, 3, insts...)
	acts := h.advanceBy(2 * time.Second)
	asks := only(acts, ActAskEject)
	if len(asks) != 1 || len(only(acts, ActKillInstance)) != 0 {
		t.Fatalf("want one ask-eject and no kill, got %s", describe(acts))
	}
	victim := asks[0].Instance
	acts = h.step(Event{Kind: EvEjectResult, Service: d.ID, Instance: victim, Err: ErrInstanceInUse})
	if len(only(acts, ActKillInstance)) != 0 {
		t.Fatalf("killed a vetoed instance: %s", describe(acts))
	}
	if in := h.e.services[d.ID].instances[victim]; in.locked {
		t.Fatal("vetoed instance stays locked")
	}
	acts = h.advanceBy(2 * time.Second)
	asks = only(acts, ActAskEject)
	if len(asks) != 1 || asks[0].Instance == victim {
		t.Fatalf("want another instance asked after the veto, got %s", describe(acts))
	}
	acts = h.step(Event{Kind: EvEjectResult, Service: d.ID, Instance: asks[0].Instance})
	kills := only(acts, ActKillInstance)
	if len(kills) != 1 || kills[0].Instance != asks[0].Instance {
		t.Fatalf("want the agreed instance killed, got %s", describe(acts))
	}
}

// TestClusterEjectRequested: a router vetoes the ejection of an instance
// it uses, and ejects one it does not use (no request goes there after).
func TestClusterEjectRequested(t *testing.T) {
	h := newHarness(t, Config{RouterID: "r1"})
	h.step(Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: []string{"r1", "r2"}}})
	d := mustDesc(t, Params{"concurrency-level": 2.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("i1", epoch))
	if len(dispatchedTo(h.log)) != 1 {
		t.Fatalf("request not dispatched: %s", describe(h.log))
	}
	acts := h.step(Event{Kind: EvEjectRequested, Service: d.ID, Instance: "i1", Router: "r2"})
	ans := only(acts, ActEjectAnswer)
	if len(ans) != 1 || ans[0].Err != ErrInstanceInUse || ans[0].Router != "r2" {
		t.Fatalf("want a veto to r2, got %+v", acts)
	}
	h.finish(1, OutcomeSuccess)
	acts = h.step(Event{Kind: EvEjectRequested, Service: d.ID, Instance: "i1", Router: "r2"})
	if ans := only(acts, ActEjectAnswer); len(ans) != 1 || ans[0].Err != nil {
		t.Fatalf("want an agreement, got %+v", acts)
	}
	if acts := h.arrive(2, d); len(only(acts, ActDispatch)) != 0 {
		t.Fatalf("dispatched to an ejected instance: %s", describe(acts))
	}
}

// TestClusterKillDelegation: a leader whose instances are all busy here
// delegates the choice to a peer; the peer names an idle one and stops
// using it; the leader then asks every peer to eject it.
func TestClusterKillDelegation(t *testing.T) {
	d := mustDesc(t, Params{"scale-down-factor": 0.999, "concurrency-level": 4.0})
	insts := []ObservedInstance{healthyAt("i1", epoch), healthyAt("i2", epoch.Add(time.Second))}
	leader := newHarness(t, Config{RouterID: "r1"})
	leader.step(Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: []string{"r1", "r2"}, Leader: true}})
	leader.arrive(1, d)
	leader.observe(d, 2, insts...)
	leader.arrive(2, d)
	leader.arrive(3, d)
	if len(dispatchedTo(leader.log)) != 2 {
		t.Fatalf("want both instances busy on the leader, got %v", dispatchedTo(leader.log))
	}
	acts := leader.advanceBy(2 * time.Second)
	del := only(acts, ActDelegateKill)
	if len(del) != 1 || del[0].Router != "r2" || len(only(acts, ActAskEject)) != 0 {
		t.Fatalf("want a delegation to r2, got %s", describe(acts))
	}
	peer := newHarness(t, Config{RouterID: "r2"})
	peer.step(Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: []string{"r1", "r2"}}})
	peer.arrive(10, d)
	peer.observe(d, 2, insts...)
	acts = peer.step(Event{Kind: EvKillDelegated, Service: d.ID, Router: "r1"})
	cand := only(acts, ActKillCandidate)
	if len(cand) != 1 || cand[0].Instance == "" || cand[0].Router != "r1" {
		t.Fatalf("want a candidate for r1, got %+v", acts)
	}
	if busy := dispatchedTo(peer.log); busy[cand[0].Instance] != 0 {
		t.Fatalf("peer named an instance it uses: %s (%v)", cand[0].Instance, busy)
	}
	// The leader's own requests end; it asks everyone to eject the candidate.
	leader.finish(1, OutcomeSuccess)
	leader.finish(2, OutcomeSuccess)
	leader.finish(3, OutcomeSuccess)
	acts = leader.step(Event{Kind: EvKillCandidate, Service: d.ID, Router: "r2", Instance: cand[0].Instance})
	if asks := only(acts, ActAskEject); len(asks) != 1 || asks[0].Instance != cand[0].Instance {
		t.Fatalf("want ask-eject of the candidate, got %s", describe(acts))
	}
}

// TestClusterWorkStealing: a router with idle slots of a "simple"
// service lends one to a peer whose counters say it needs help; the peer
// serves its queued request on it and gives it back with the outcome.
func TestClusterWorkStealing(t *testing.T) {
	d := mustDesc(t, Params{"distribution-scheme": "simple", "concurrency-level": 2.0})
	insts := sixInstances()
	routers := []string{"r1", "r2"}
	lender := newHarness(t, Config{RouterID: "r1"})
	lender.step(Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: routers, Leader: true}})
	lender.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	lender.observe(d, 6, insts...)
	borrower := newHarness(t, Config{RouterID: "r2"})
	borrower.step(Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: routers}})
	borrower.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	borrower.observe(d, 6, insts...)
	own := borrower.e.Counters(d.ID).SlotsAvailable
	for id := RequestID(1); id <= RequestID(own+1); id++ {
		borrower.arrive(id, d)
	}
	need := borrower.e.Counters(d.ID)
	if !NeedsHelp(need) || HelpRequired(need) != 1 {
		t.Fatalf("borrower should need one slot: %+v", need)
	}
	lender.advance(200 * time.Millisecond)
	acts := lender.step(Event{Kind: EvPeerCounters, Peer: &PeerCounters{Router: "r2", At: lender.now,
		Services: borrower.e.AppendCounters(nil)}})
	offers := only(acts, ActOfferSlot)
	if len(offers) != 1 || offers[0].Router != "r2" {
		t.Fatalf("want one offer to r2, got %s", describe(acts))
	}
	before := lender.e.Counters(d.ID).SlotsAvailable
	acts = borrower.step(Event{Kind: EvSlotOffered, Service: d.ID, Router: "r1", Instance: offers[0].Instance})
	disp := only(acts, ActDispatch)
	if len(disp) != 1 || disp[0].Instance != offers[0].Instance {
		t.Fatalf("want the queued request on the lent slot, got %s", describe(acts))
	}
	if c := borrower.e.Counters(d.ID); c.SlotsReceived != 1 {
		t.Fatalf("borrower counters %+v", c)
	}
	acts = borrower.finish(disp[0].Request, OutcomeInstanceBusy)
	rel := only(acts, ActReleaseSlot)
	if len(rel) != 1 || rel[0].Router != "r1" || rel[0].Outcome != OutcomeInstanceBusy {
		t.Fatalf("want the slot given back with its outcome, got %+v", acts)
	}
	lender.step(Event{Kind: EvSlotReleased, Service: d.ID, Router: "r2", Instance: offers[0].Instance, Outcome: OutcomeInstanceBusy})
	if in := lender.e.services[d.ID].instances[offers[0].Instance]; in.lent != 0 || !in.ejected {
		t.Fatalf("lender: lent %d ejected %v after a busy release", in.lent, in.ejected)
	}
	// An offer that arrives when no help is needed is given back at once.
	acts = borrower.step(Event{Kind: EvSlotOffered, Service: d.ID, Router: "r1", Instance: offers[0].Instance})
	if rel := only(acts, ActReleaseSlot); len(rel) != 1 || rel[0].Outcome != OutcomeClientError {
		t.Fatalf("want a prompt rejection, got %+v", acts)
	}
	_ = before
}

// TestClusterNoStealingForBalanced: Waiter's default supports work
// stealing only for "simple" services.
func TestClusterNoStealingForBalanced(t *testing.T) {
	d := mustDesc(t, nil)
	h := newHarness(t, Config{RouterID: "r1"})
	h.step(Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: []string{"r1", "r2"}, Leader: true}})
	h.step(Event{Kind: EvStartService, Service: d.ID, Description: d})
	h.observe(d, 6, sixInstances()...)
	h.advance(time.Second)
	acts := h.step(Event{Kind: EvPeerCounters, Peer: &PeerCounters{Router: "r2", At: h.now,
		Services: []ServiceCounters{{Service: d.ID, Outstanding: 5, Waiting: 5}}}})
	if len(only(acts, ActOfferSlot)) != 0 {
		t.Fatalf("offered a slot of a balanced service: %s", describe(acts))
	}
}

// TestPlanOffers: the neediest peer first, ties by id, never more than
// offerable.
func TestPlanOffers(t *testing.T) {
	got := PlanOffers(4, []PeerNeed{{"b", 2}, {"a", 2}, {"c", 5}})
	// c 5->4->3->2, then a, b, c tie at 2: a.
	if len(got) != 2 || got[0] != (PeerNeed{"a", 1}) || got[1] != (PeerNeed{"c", 3}) {
		t.Fatalf("got %v", got)
	}
	got = PlanOffers(5, []PeerNeed{{"b", 2}, {"a", 2}, {"c", 3}})
	// c 3->2, then a, b, c tie at 2 (a, b, c), then a: a 2, b 1, c 2.
	if len(got) != 3 || got[0] != (PeerNeed{"b", 1}) || got[1] != (PeerNeed{"a", 2}) || got[2] != (PeerNeed{"c", 2}) {
		t.Fatalf("got %v", got)
	}
	if got := PlanOffers(3, nil); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

// TestAppendCountersAllocatesNothing: publishing counters into a reused
// slice allocates nothing.
func TestAppendCountersAllocatesNothing(t *testing.T) {
	h := clusterHarness(t, "r1", true, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	buf := make([]ServiceCounters, 0, 4)
	if n := testing.AllocsPerRun(100, func() { buf = h.e.AppendCounters(buf[:0]) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
	if len(buf) != 1 || buf[0].Outstanding != 1 {
		t.Fatalf("counters %+v", buf)
	}
}
