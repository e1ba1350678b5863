package engine

import (
	"slices"
	"sort"
	"time"
)

// clusterState is what the engine knows of its cluster once a driver sent
// EvClusterChanged; nil for a router alone, which then behaves exactly as
// it always did (owns every slot, leads, sees only its own counters).
type clusterState struct {
	self    string
	routers []string
	leader  bool
	peers   map[string]*peerState
	// nextOffer is when the next work-stealing pass may run.
	nextOffer time.Time
}

// peerState is a peer's latest counters, by service, and the offers this
// router made to it since they arrived (not yet reflected in them).
type peerState struct {
	at      time.Time
	svcs    map[string]ServiceCounters
	offered map[string]int
}

// peersAlive reports whether this router has peers at all.
func (c *clusterState) peersAlive() bool { return len(c.routers) > 1 }

func (c *clusterState) member(r string) bool {
	_, ok := slices.BinarySearch(c.routers, r)
	return ok
}

// clusterChanged applies a new view of the routers: it forgets peers that
// left (and the slots lent to or borrowed from them) and redistributes
// every service's slots at once.
func (e *Engine) clusterChanged(v *ClusterView) {
	if v == nil {
		return
	}
	c := e.cluster
	if c == nil {
		c = &clusterState{self: e.cfg.RouterID, peers: map[string]*peerState{}}
		e.cluster = c
	}
	c.routers = append(c.routers[:0], v.Routers...)
	if !slices.Contains(c.routers, c.self) {
		// A router cut off from the coordinator keeps routing over what
		// it computes as a member.
		c.routers = append(c.routers, c.self)
	}
	sort.Strings(c.routers)
	c.leader = v.Leader
	for r := range c.peers {
		if !c.member(r) || r == c.self {
			delete(c.peers, r)
		}
	}
	for _, svc := range e.order {
		svc.clustered = true
		e.forgetLoans(svc)
		svc.distIDs = svc.distIDs[:0]
		e.redistribute(svc)
		e.drain(svc)
	}
}

// forgetLoans drops the slots lent to or borrowed from routers that left:
// nobody will give them back.
func (e *Engine) forgetLoans(svc *service) {
	keep := func(l slotLoan) bool { return e.cluster.member(l.router) && !l.in.gone }
	svc.borrowed = slices.DeleteFunc(svc.borrowed, func(l slotLoan) bool {
		if keep(l) {
			return false
		}
		l.in.received--
		return true
	})
	svc.lends = slices.DeleteFunc(svc.lends, func(l slotLoan) bool {
		if keep(l) {
			return false
		}
		l.in.lent--
		return true
	})
}

// distributionScheme is the service's distribution-scheme parameter.
func distributionScheme(d *Description) string {
	if s, ok := d.Param("distribution-scheme").(string); ok {
		return s
	}
	return SchemeBalanced
}

// redistribute recomputes which slots of svc's healthy instances this
// router owns (DistributeSlots), when the healthy set changed since the
// last time or distIDs was cleared. Waiter sorts instances by started-at,
// then id, before ranking them.
func (e *Engine) redistribute(svc *service) {
	if !svc.clustered {
		return
	}
	var healthy []*instance
	for _, in := range svc.sorted {
		if in.healthy && !in.killed && !in.gone {
			healthy = append(healthy, in)
		}
	}
	sort.Slice(healthy, func(i, j int) bool {
		a, b := healthy[i], healthy[j]
		if !a.startedAt.Equal(b.startedAt) {
			return a.startedAt.Before(b.startedAt)
		}
		return a.id < b.id
	})
	ids := make([]string, len(healthy))
	for i, in := range healthy {
		ids[i] = in.id
	}
	if len(svc.distIDs) > 0 && slices.Equal(ids, svc.distIDs) {
		return
	}
	svc.distIDs = ids
	mine := DistributeSlots(e.cluster.routers, ids, svc.desc.ConcurrencyLevel, distributionScheme(svc.desc))[e.cluster.self]
	for _, in := range svc.sorted {
		in.slots = mine[in.id]
	}
	svc.refresh()
}

// peerCounters stores a peer's report.
func (e *Engine) peerCounters(p *PeerCounters) {
	c := e.cluster
	if p == nil || c == nil || p.Router == c.self || !c.member(p.Router) {
		return
	}
	ps := c.peers[p.Router]
	if ps == nil {
		ps = &peerState{svcs: map[string]ServiceCounters{}, offered: map[string]int{}}
		c.peers[p.Router] = ps
	}
	ps.at = p.At
	clear(ps.svcs)
	clear(ps.offered)
	for _, sc := range p.Services {
		ps.svcs[sc.Service] = sc
	}
}

// fresh reports whether a peer's counters still count.
func (e *Engine) fresh(ps *peerState) bool {
	return e.now.Sub(ps.at) < e.cfg.PeerCountersTTL
}

// clusterOutstanding is the autoscaler's input in a cluster: this
// router's outstanding requests plus every fresh peer's (reference 4.5:
// counters are summed across routers).
func (e *Engine) clusterOutstanding(svc *service) int {
	n := svc.outstanding()
	if e.cluster == nil {
		return n
	}
	for _, ps := range e.cluster.peers {
		if e.fresh(ps) {
			n += ps.svcs[svc.id].Outstanding
		}
	}
	return n
}

// clusterLastActivity is the latest request time across the cluster
// (merge-service-metrics takes the max).
func (e *Engine) clusterLastActivity(svc *service) time.Time {
	t := svc.lastActivity
	if e.cluster == nil {
		return t
	}
	for _, ps := range e.cluster.peers {
		if lr := ps.svcs[svc.id].LastRequest; e.fresh(ps) && lr.After(t) {
			t = lr
		}
	}
	return t
}

// countersOf is this router's counters of svc.
func (e *Engine) countersOf(svc *service) ServiceCounters {
	return ServiceCounters{
		Service:        svc.id,
		Outstanding:    svc.outstanding(),
		Waiting:        svc.waiting,
		SlotsInUse:     svc.inflight,
		SlotsAvailable: svc.freeSlots,
		SlotsReceived:  len(svc.borrowed),
		LastRequest:    svc.lastActivity,
	}
}

// leads reports whether this router's scheduler actions reach the
// scheduler (scaling, kills, idle removal).
func (e *Engine) leads() bool { return e.cluster == nil || e.cluster.leader }

// --- kill protocol -------------------------------------------------------

// clusterKill is the leader's scale-down by one in a cluster (Waiter's
// scale-down through peers): it asks every peer to eject the instance it
// would kill before killing it, or, when it has no killable instance
// itself, delegates the choice to a peer.
//
// One departure from Waiter: with the "simple" distribution scheme the
// leader also delegates when a fresh peer has more available slots than
// it has (killIdlest). Waiter's leader kills its own idle instance first;
// with "simple" an instance's slots stay with the router HRW gives them
// to, so every scale-down taken while the leader is idle removes the
// leader's capacity until it owns none and its share of the requests
// queues, whatever the policy (spike-3routers-simple: the leader owned no
// slot in 29 % of the 8 s samples with Waiter's policy, 43 % with
// Knative's, 59 % with predictive; p99 9 s, 28 s and 43 s, against 6-8 s
// with this rule). With "balanced" the slots are dealt again after
// every kill, so the leader's own instance is as good a choice and saves
// the round trip.
func (e *Engine) clusterKill(svc *service, why string) {
	if !svc.delegatedAt.IsZero() {
		if e.now.Sub(svc.delegatedAt) < e.cfg.PeerCountersTTL {
			return // the peer's answer is on its way
		}
		svc.delegatedAt = time.Time{} // lost: choose again
		svc.peerKillMissed = true
	}
	peer, peerFree := e.delegateTo(svc)
	if in := e.findKillable(svc); in != nil && !e.killIdlest(svc, peer, peerFree) {
		e.askEject(svc, in, why)
		return
	}
	if peer != "" {
		svc.delegatedAt = e.now
		svc.killWhy = why
		e.emit(Action{Kind: ActDelegateKill, Service: svc.id, Router: peer, Why: why})
	}
}

// askEject locks in for a kill and asks the peers to stop using it.
func (e *Engine) askEject(svc *service, in *instance, why string) {
	in.locked = true
	svc.peerKillMissed = false
	svc.killPending = in.id
	svc.ejectPending = true
	svc.killWhy = why
	svc.refresh()
	e.emit(Action{Kind: ActAskEject, Service: svc.id, Instance: in.id, Why: why})
}

// killIdlest reports whether the leader should delegate a kill it could
// make itself: svc's slots stay where HRW put them ("simple"), the peer
// (delegateTo's choice) has more available slots than this router, and
// the last peer asked did not come back empty-handed (then the leader's
// own instance goes, so a scale-down never stalls on peers with nothing
// idle).
func (e *Engine) killIdlest(svc *service, peer string, peerFree int) bool {
	return peer != "" && !svc.peerKillMissed && distributionScheme(svc.desc) == SchemeSimple &&
		peerFree > svc.freeSlots
}

// delegateTo chooses the peer to ask for a killable instance: the fresh
// peer with the most available slots of svc (ties: smallest id), else the
// first peer; it returns the peer and its available slots (0 when none is
// fresh).
func (e *Engine) delegateTo(svc *service) (string, int) {
	best, bestFree := "", -1
	for _, r := range e.cluster.routers {
		if r == e.cluster.self {
			continue
		}
		free := 0
		if ps := e.cluster.peers[r]; ps != nil && e.fresh(ps) {
			free = ps.svcs[svc.id].SlotsAvailable
		}
		if free > bestFree {
			best, bestFree = r, free
		}
	}
	return best, bestFree
}

// ejectResult completes or abandons a kill after the peers answered.
func (e *Engine) ejectResult(ev Event) {
	svc := e.services[ev.Service]
	if svc == nil || !svc.ejectPending || svc.killPending != ev.Instance {
		return
	}
	svc.ejectPending = false
	in := svc.instances[ev.Instance]
	if ev.Err != nil || in == nil || in.gone || !e.leads() {
		// Vetoed (a peer still uses it) or no longer ours to kill: try
		// another instance at a later scaling pass.
		svc.killPending = ""
		svc.lastKillAt = e.now
		if in != nil {
			in.locked = false
			if ev.Err != nil {
				in.vetoedUntil = e.now.Add(e.cfg.EjectBackoffBase)
			}
			svc.refresh()
			e.drain(svc)
		}
		return
	}
	svc.requested--
	e.emit(Action{Kind: ActKillInstance, Service: svc.id, Instance: in.id, Why: svc.killWhy})
}

// ejectRequested is a peer's ask to stop using an instance it will kill:
// veto while a request of ours runs on it, else eject it here.
func (e *Engine) ejectRequested(ev Event) {
	answer := Action{Kind: ActEjectAnswer, Service: ev.Service, Instance: ev.Instance, Router: ev.Router}
	if svc := e.services[ev.Service]; svc != nil {
		if in := svc.instances[ev.Instance]; in != nil {
			if in.inflight > 0 || in.lent > 0 {
				answer.Err = ErrInstanceInUse
			} else {
				e.eject(svc, in, e.cfg.EjectBackoffBase)
				svc.refresh()
			}
		}
	}
	e.emit(answer)
}

// killDelegated is the leader's ask to choose an instance it may kill
// among those this router knows to be idle; the chosen one is ejected
// here at once.
func (e *Engine) killDelegated(ev Event) {
	answer := Action{Kind: ActKillCandidate, Service: ev.Service, Router: ev.Router}
	if svc := e.services[ev.Service]; svc != nil {
		if in := e.findKillable(svc); in != nil {
			e.eject(svc, in, e.cfg.EjectBackoffBase)
			svc.refresh()
			answer.Instance = in.id
		}
	}
	e.emit(answer)
}

// killCandidate is a peer's answer to ActDelegateKill.
func (e *Engine) killCandidate(ev Event) {
	svc := e.services[ev.Service]
	if svc == nil || svc.delegatedAt.IsZero() {
		return
	}
	svc.delegatedAt = time.Time{}
	in := svc.instances[ev.Instance]
	if in == nil || !e.leads() || svc.killPending != "" || svc.scalingState != ScalingDown ||
		in.killed || in.locked || in.gone || in.inflight > 0 || in.lent > 0 {
		svc.lastKillAt = e.now         // none, or no longer wanted: choose again later
		svc.peerKillMissed = in == nil // the peer had nothing idle
		return
	}
	e.askEject(svc, in, svc.killWhy)
}

// --- work stealing ------------------------------------------------------

// HelpRequired is Waiter's help-required metric of a router's counters:
// outstanding - (slots-in-use + slots-available + slots-received).
func HelpRequired(c ServiceCounters) int {
	return c.Outstanding - (c.SlotsInUse + c.SlotsAvailable + c.SlotsReceived)
}

// NeedsHelp: no slot available and help required (reference 4.4).
func NeedsHelp(c ServiceCounters) bool {
	return c.SlotsAvailable == 0 && HelpRequired(c) > 0
}

// PeerNeed is how many slots a peer needs.
type PeerNeed struct {
	Router string
	Need   int
}

// PlanOffers is Waiter's offer-help loop: up to offerable times, offer one
// slot to the neediest peer (largest need, ties: smallest id), lowering its
// need by one. It returns the offers per peer in needs' order (zero
// entries dropped) and does not modify needs.
func PlanOffers(offerable int, needs []PeerNeed) []PeerNeed {
	left := append([]PeerNeed(nil), needs...)
	got := make([]int, len(left))
	for ; offerable > 0; offerable-- {
		best := -1
		for i, p := range left {
			if p.Need <= 0 {
				continue
			}
			if best < 0 || p.Need > left[best].Need || (p.Need == left[best].Need && p.Router < left[best].Router) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		left[best].Need--
		got[best]++
	}
	var out []PeerNeed
	for i, n := range got {
		if n > 0 {
			out = append(out, PeerNeed{Router: left[i].Router, Need: n})
		}
	}
	return out
}

// stealing reports whether svc takes part in work stealing.
func (e *Engine) stealing(svc *service) bool {
	return svc.clustered && slices.Contains(e.cfg.WorkStealingSchemes, distributionScheme(svc.desc))
}

// stealingPass runs at most every OfferHelpInterval: each service gives
// back borrowed slots it no longer needs, and lends its idle slots to the
// peers whose last counters say they need help.
func (e *Engine) stealingPass() {
	c := e.cluster
	if c == nil || !c.peersAlive() || e.now.Before(c.nextOffer) {
		return
	}
	c.nextOffer = e.now.Add(e.cfg.OfferHelpInterval)
	var needs []PeerNeed
	for _, svc := range e.order {
		if !e.stealing(svc) {
			continue
		}
		e.releaseIdleBorrowed(svc)
		offerable := -HelpRequired(e.countersOf(svc))
		if offerable <= 0 {
			continue
		}
		needs = needs[:0]
		for _, r := range c.routers {
			ps := c.peers[r]
			if ps == nil || !e.fresh(ps) {
				continue
			}
			pc := ps.svcs[svc.id]
			if NeedsHelp(pc) {
				if n := HelpRequired(pc) - ps.offered[svc.id]; n > 0 {
					needs = append(needs, PeerNeed{Router: r, Need: n})
				}
			}
		}
		if len(needs) == 0 {
			continue
		}
		for _, p := range PlanOffers(offerable, needs) {
			for range p.Need {
				in := e.lendable(svc)
				if in == nil {
					break
				}
				in.lent++
				svc.lends = append(svc.lends, slotLoan{router: p.Router, in: in})
				c.peers[p.Router].offered[svc.id]++
				svc.refresh()
				e.emit(Action{Kind: ActOfferSlot, Service: svc.id, Router: p.Router, Instance: in.id,
					Ref: in.ref, Host: in.host, Port: in.port})
			}
		}
	}
}

// lendable is the instance whose own idle slot this router lends next:
// the first in routing order with an owned slot it does not use.
func (e *Engine) lendable(svc *service) *instance {
	for _, in := range svc.sorted {
		if in.serving() && in.received == 0 && in.slots-in.lent-in.inflight > 0 {
			return in
		}
	}
	return nil
}

// slotOffered is a peer lending this router a slot: keep it while this
// router needs help, else answer at once (promptly rejected).
func (e *Engine) slotOffered(ev Event) {
	svc := e.services[ev.Service]
	var in *instance
	if svc != nil {
		in = svc.instances[ev.Instance]
	}
	if in == nil || !svc.clustered || !in.serving() || !NeedsHelp(e.countersOf(svc)) ||
		e.cluster == nil || !e.cluster.member(ev.Router) {
		e.emit(Action{Kind: ActReleaseSlot, Service: ev.Service, Instance: ev.Instance, Router: ev.Router,
			Outcome: OutcomeClientError})
		return
	}
	in.received++
	svc.borrowed = append(svc.borrowed, slotLoan{router: ev.Router, in: in})
	svc.refresh()
	e.drain(svc)
}

// releaseBorrowed gives back one slot of in borrowed from a peer.
func (e *Engine) releaseBorrowed(svc *service, in *instance, outcome Outcome) {
	for i, l := range svc.borrowed {
		if l.in == in {
			svc.borrowed = append(svc.borrowed[:i], svc.borrowed[i+1:]...)
			in.received--
			e.emit(Action{Kind: ActReleaseSlot, Service: svc.id, Instance: in.id, Router: l.router, Outcome: outcome})
			return
		}
	}
}

// releaseIdleBorrowed gives back the borrowed slots no request uses once
// nothing waits, and those on instances that cannot serve.
func (e *Engine) releaseIdleBorrowed(svc *service) {
	if len(svc.borrowed) == 0 {
		return
	}
	changed := false
	for _, in := range svc.sorted {
		if in.received == 0 || (svc.waiting > 0 && in.serving()) {
			continue
		}
		for idle := in.received - max(0, in.inflight-(in.slots-in.lent)); idle > 0; idle-- {
			e.releaseBorrowed(svc, in, OutcomeClientError)
			changed = true
		}
	}
	if changed {
		svc.refresh()
	}
}

// slotReleased is a peer giving back a slot this router lent it.
func (e *Engine) slotReleased(ev Event) {
	svc := e.services[ev.Service]
	if svc == nil {
		return
	}
	for i, l := range svc.lends {
		if l.router == ev.Router && l.in.id == ev.Instance {
			svc.lends = append(svc.lends[:i], svc.lends[i+1:]...)
			l.in.lent--
			if !l.in.gone && ev.Err == nil {
				e.applyOutcome(svc, l.in, ev.Outcome)
			}
			svc.refresh()
			e.drain(svc)
			return
		}
	}
}

// dropLoans releases the loans on instances the scheduler no longer
// lists.
func (e *Engine) dropLoans(svc *service) {
	if len(svc.borrowed) == 0 && len(svc.lends) == 0 {
		return
	}
	for i := len(svc.borrowed) - 1; i >= 0; i-- {
		if l := svc.borrowed[i]; l.in.gone {
			e.releaseBorrowed(svc, l.in, OutcomeInstanceError)
		}
	}
	svc.lends = slices.DeleteFunc(svc.lends, func(l slotLoan) bool { return l.in.gone })
}
