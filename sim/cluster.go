package sim

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/syncer"
	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/scenario"
	"github.com/waiter-go/waiter/sim/stats"
)

// A cluster of routers (scenario routers: N). Every router is the
// production router's rules (engine/syncer) around its own engine: it
// polls the scheduler itself, owns the slots the engine's HRW
// distribution gives it, and tells its peers what the engine asks
// (counters, ejects, kill delegation, work-stealing offers and releases),
// which reach them after the cluster's lag. A model of the coordinator
// (ZooKeeper) keeps the members in registration order; the first leads.
// A front balancer spreads requests over the live routers. With one
// router none of this runs and a run is what it always was.

// routerState is one simulated router.
type routerState struct {
	idx int
	id  string
	// life counts the router's incarnations; events and messages of an
	// earlier one are dropped.
	life uint16
	up   bool
	// cut: partitioned from its peers (not from the coordinator or the
	// scheduler).
	cut  bool
	eng  *engine.Engine
	sync *syncer.Syncer
	cfg  engine.Config

	wakeAt time.Duration
	wakeOn bool
	// pollGen numbers the syncer's poll announcements (ActPollAt); an
	// evPoll of an older one is ignored.
	pollGen uint64
	// obs is the observation buffer for apps of no service of the run's;
	// kept the last observation of each service's app, by index
	// (Runner.observe).
	obs  engine.Observation
	kept []keptObservation
	// hints are the syncer's handles on each service (by index), which
	// spare a poll looking every service up by id in the syncer and the
	// engine.
	hints []syncer.ObserveHint
	// facts are what this router's own health checks learnt of each
	// task (scheduler: marathon, SyncerProbes).
	facts map[string]engine.InstanceFlags
	// madeHealthy marks a task this router's own probe found healthy as
	// told healthy to it (built once: SyncerProbes takes it on every poll).
	madeHealthy func(id string)
	// prunedAt is the model's Removals when facts were last pruned.
	prunedAt uint64
	// open counts requests the balancer sent here that have not ended.
	open int
	// counters is the buffer the router publishes its counters from.
	counters []engine.ServiceCounters
	t        routerTotals
	hist     stats.Histogram
}

// routerTotals are one router's figures.
type routerTotals struct {
	requests, completed, errors, rejected int64
	// stolen: requests served on slots peers lent; lent: slots offered.
	stolen, lent, crashes int64
}

// clusterSim is what joins the routers.
type clusterSim struct {
	// members are router indexes in registration order: members[0] leads.
	members []int
	msgs    []routerMsg
	freeMsg []int32
	asks    map[askKey]*askState
	rr      int
	bal     *rng.Source
	clients *rng.Source
	// hit is the router each router fault hit, by fault index.
	hit map[int]*routerState
	// leaderChanges, ejectVetoes and delegations are cluster totals.
	leaderChanges, ejectVetoes, delegations int64
	lastLeader                              int
}

type msgKind uint8

const (
	msgEvent msgKind = iota + 1
	msgCounters
	msgEjectAnswer
)

// routerMsg is a message in flight between routers.
type routerMsg struct {
	kind msgKind
	from *routerState
	to   *routerState
	life uint16 // to's incarnation when sent
	ev   engine.Event
}

// askKey names one ActAskEject: the leader asks once per victim.
type askKey struct {
	from              int
	service, instance string
}

type askState struct {
	life uint16
	// awaiting are the peers whose answer has not come.
	awaiting []int
	err      error
}

// errPeerUnreachable: a peer that cannot be asked vetoes the kill, so no
// instance is killed while a router that may use it cannot be heard.
var errPeerUnreachable = errors.New("peer router unreachable")

// newRouter builds router i. A lone router's engine is configured exactly
// as before clusters existed.
func (r *Runner) newRouter(i int, seed uint64, policy string) *routerState {
	cfg := EngineConfig(r.sc, seed, policy)
	n := max(r.sc.Routers, 1)
	rt := &routerState{idx: i, id: scenario.RouterID(i, n), up: true, life: 1, facts: map[string]engine.InstanceFlags{}}
	if n > 1 {
		if i > 0 {
			cfg.Seed = rng.New(seed).Derive("engine/" + rt.id).Uint64()
		}
		cfg.RouterID = rt.id
		cfg.PeerCountersTTL = r.sc.Cluster.PeerCountersTTL
		cfg.WorkStealingSchemes = r.sc.Cluster.WorkStealing.Schemes()
	}
	rt.cfg = cfg
	rt.eng = engine.New(cfg)
	// The router's rules (polling cadence, stale observations, lost
	// services, tombstones, forced kills) are the production driver's.
	rt.sync = syncer.New(rt.eng, SyncerConfig(r.sc))
	return rt
}

func (r *Runner) clustered() bool { return len(r.rts) > 1 }

// startCluster registers every router, tells each its view and starts
// the metrics sync.
func (r *Runner) startCluster(root *rng.Source) {
	if !r.clustered() {
		return
	}
	c := &r.cluster
	c.bal = root.Derive("balancer")
	c.clients = root.Derive("clients")
	c.asks = map[askKey]*askState{}
	c.hit = map[int]*routerState{}
	c.lastLeader = -1
	for i := range r.rts {
		c.members = append(c.members, i)
	}
	r.announceCluster()
	r.q.Push(0, ev{kind: evSync})
}

// live returns the router of a router's own event, nil when it crashed
// since.
func (r *Runner) live(e ev) *routerState {
	rt := r.rts[e.rt]
	if !rt.up || rt.life != e.life {
		return nil
	}
	return rt
}

// lead is the router whose view the report's instance gauges show and
// through which operators act: the leader while it runs, else the first
// live router.
func (r *Runner) lead() *routerState {
	if !r.clustered() {
		return r.rts[0]
	}
	if m := r.cluster.members; len(m) > 0 && r.rts[m[0]].up {
		return r.rts[m[0]]
	}
	for _, rt := range r.rts {
		if rt.up {
			return rt
		}
	}
	return r.rts[0]
}

func (r *Runner) routerByID(id string) *routerState {
	for _, rt := range r.rts {
		if rt.id == id {
			return rt
		}
	}
	return nil
}

// announceCluster tells every live router the members and whether it
// leads (EvClusterChanged).
func (r *Runner) announceCluster() {
	c := &r.cluster
	ids := make([]string, 0, len(c.members))
	for _, m := range c.members {
		ids = append(ids, r.rts[m].id)
	}
	slices.Sort(ids)
	leader := -1
	if len(c.members) > 0 {
		leader = c.members[0]
	}
	if leader != c.lastLeader {
		c.leaderChanges++
		c.lastLeader = leader
	}
	for _, rt := range r.rts {
		if rt.up {
			r.stepOn(rt, engine.Event{Kind: engine.EvClusterChanged,
				Cluster: &engine.ClusterView{Routers: ids, Leader: rt.idx == leader}})
		}
	}
}

// pickRouter is the front balancer: it chooses a live router for the
// next request.
func (r *Runner) pickRouter() *routerState {
	if !r.clustered() {
		return r.rts[0]
	}
	c := &r.cluster
	n := len(r.rts)
	switch r.sc.Cluster.Balancer {
	case scenario.BalancerRandom:
		k := int(c.bal.Uint64n(uint64(r.upCount())))
		for _, rt := range r.rts {
			if rt.up {
				if k == 0 {
					return rt
				}
				k--
			}
		}
	case scenario.BalancerLeastConns:
		var best *routerState
		for j := range n {
			rt := r.rts[(c.rr+j)%n]
			if rt.up && (best == nil || rt.open < best.open) {
				best = rt
			}
		}
		c.rr++
		if best != nil {
			return best
		}
	case scenario.BalancerSticky:
		client := c.clients.Uint64n(uint64(r.sc.Cluster.Clients))
		var best *routerState
		var bestScore uint64
		for _, rt := range r.rts {
			if s := mix(client<<8 | uint64(rt.idx)); rt.up && (best == nil || s > bestScore) {
				best, bestScore = rt, s
			}
		}
		if best != nil {
			return best
		}
	default:
		for j := range n {
			rt := r.rts[(c.rr+j)%n]
			if rt.up {
				c.rr = (c.rr + j + 1) % n
				return rt
			}
		}
	}
	return r.rts[0] // every router is down: the first takes it (and drops it)
}

func (r *Runner) upCount() int {
	k := 0
	for _, rt := range r.rts {
		if rt.up {
			k++
		}
	}
	return max(k, 1)
}

// mix is splitmix64's finaliser: a client's score for a router (rendezvous
// hashing, so a client keeps its router while that router lives).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// reachable: messages between a and b get through.
func reachable(a, b *routerState) bool { return a.up && b.up && !a.cut && !b.cut }

// send queues a message to arrive after the cluster's lag.
func (r *Runner) send(m routerMsg) {
	m.life = m.to.life
	c := &r.cluster
	var idx int32
	if k := len(c.freeMsg); k > 0 {
		idx = c.freeMsg[k-1]
		c.freeMsg = c.freeMsg[:k-1]
		c.msgs[idx] = m
	} else {
		idx = int32(len(c.msgs))
		c.msgs = append(c.msgs, m)
	}
	r.q.Push(r.now+r.sc.Cluster.Lag, ev{kind: evMsg, arg: uint64(idx)})
}

// deliver hands a message to its router, unless that router crashed
// since it was sent.
func (r *Runner) deliver(idx int32) {
	c := &r.cluster
	m := c.msgs[idx]
	c.msgs[idx] = routerMsg{}
	c.freeMsg = append(c.freeMsg, idx)
	if !m.to.up || m.to.life != m.life {
		return
	}
	switch m.kind {
	case msgEvent, msgCounters:
		r.stepOn(m.to, m.ev)
	case msgEjectAnswer:
		r.ejectAnswered(m.to, m.from, m.ev.Service, m.ev.Instance, m.ev.Err)
	}
}

// syncMetrics is one metrics-sync interval: every live router publishes
// its counters to every peer it reaches.
func (r *Runner) syncMetrics() {
	for _, rt := range r.rts {
		if !rt.up {
			continue
		}
		rt.counters = rt.eng.AppendCounters(rt.counters[:0])
		if len(rt.counters) == 0 {
			continue
		}
		// Receivers keep the slice until the next report: publish a copy.
		snap := slices.Clone(rt.counters)
		for _, peer := range r.rts {
			if peer != rt && reachable(rt, peer) {
				r.send(routerMsg{kind: msgCounters, from: rt, to: peer, ev: engine.Event{Kind: engine.EvPeerCounters,
					Peer: &engine.PeerCounters{Router: rt.id, At: r.at().Add(r.sc.Cluster.Lag), Services: snap}}})
			}
		}
	}
	r.q.Push(r.now+r.sc.Cluster.MetricsSyncInterval, ev{kind: evSync})
}

// clusterAct carries out an engine's inter-router action.
func (r *Runner) clusterAct(rt *routerState, a *engine.Action) {
	if !r.clustered() {
		return
	}
	c := &r.cluster
	self := func(e engine.Event) { r.send(routerMsg{kind: msgEvent, from: rt, to: rt, ev: e}) }
	switch a.Kind {
	case engine.ActAskEject:
		key := askKey{from: rt.idx, service: a.Service, instance: a.Instance}
		ask := &askState{life: rt.life}
		c.asks[key] = ask
		for _, m := range c.members {
			peer := r.rts[m]
			if peer == rt {
				continue
			}
			if !reachable(rt, peer) {
				ask.err = errPeerUnreachable
				continue
			}
			ask.awaiting = append(ask.awaiting, peer.idx)
			r.send(routerMsg{kind: msgEvent, from: rt, to: peer, ev: engine.Event{Kind: engine.EvEjectRequested,
				Service: a.Service, Instance: a.Instance, Router: rt.id}})
		}
		if len(ask.awaiting) == 0 {
			delete(c.asks, key)
			if ask.err != nil {
				c.ejectVetoes++
			}
			self(engine.Event{Kind: engine.EvEjectResult, Service: a.Service, Instance: a.Instance, Err: ask.err})
		}
	case engine.ActEjectAnswer:
		if to := r.routerByID(a.Router); to != nil && reachable(rt, to) {
			r.send(routerMsg{kind: msgEjectAnswer, from: rt, to: to,
				ev: engine.Event{Service: a.Service, Instance: a.Instance, Err: errOrNil(a.Err)}})
		}
	case engine.ActDelegateKill:
		c.delegations++
		to := r.routerByID(a.Router)
		if to == nil || !reachable(rt, to) {
			self(engine.Event{Kind: engine.EvKillCandidate, Service: a.Service, Router: a.Router})
			return
		}
		r.send(routerMsg{kind: msgEvent, from: rt, to: to, ev: engine.Event{Kind: engine.EvKillDelegated,
			Service: a.Service, Router: rt.id}})
	case engine.ActKillCandidate:
		if to := r.routerByID(a.Router); to != nil && reachable(rt, to) {
			r.send(routerMsg{kind: msgEvent, from: rt, to: to, ev: engine.Event{Kind: engine.EvKillCandidate,
				Service: a.Service, Instance: a.Instance, Router: rt.id}})
		}
	case engine.ActOfferSlot:
		rt.t.lent++
		to := r.routerByID(a.Router)
		if to == nil || !reachable(rt, to) {
			self(engine.Event{Kind: engine.EvSlotReleased, Service: a.Service, Instance: a.Instance,
				Router: a.Router, Err: errPeerUnreachable})
			return
		}
		r.send(routerMsg{kind: msgEvent, from: rt, to: to, ev: engine.Event{Kind: engine.EvSlotOffered,
			Service: a.Service, Instance: a.Instance, Router: rt.id}})
	case engine.ActReleaseSlot:
		if a.Outcome != engine.OutcomeClientError {
			rt.t.stolen++
			r.rec.routerStolen(rt)
		}
		// The release answers the lender's open offer: it gets through
		// whenever the lender runs, so a partition does not leak slots.
		if to := r.routerByID(a.Router); to != nil && to.up {
			r.send(routerMsg{kind: msgEvent, from: rt, to: to, ev: engine.Event{Kind: engine.EvSlotReleased,
				Service: a.Service, Instance: a.Instance, Router: rt.id, Outcome: a.Outcome}})
		}
	}
}

// errOrNil keeps a nil *engine.Error from becoming a non-nil error.
func errOrNil(e *engine.Error) error {
	if e == nil {
		return nil
	}
	return e
}

// ejectAnswered counts peer's answer to rt's ask; the last answer
// completes it (EvEjectResult: vetoed if any peer vetoed).
func (r *Runner) ejectAnswered(rt, peer *routerState, service, instance string, err error) {
	c := &r.cluster
	key := askKey{from: rt.idx, service: service, instance: instance}
	ask := c.asks[key]
	if ask == nil || ask.life != rt.life || !slices.Contains(ask.awaiting, peer.idx) {
		return
	}
	ask.awaiting = slices.DeleteFunc(ask.awaiting, func(m int) bool { return m == peer.idx })
	if err != nil && ask.err == nil {
		ask.err = err
	}
	if len(ask.awaiting) > 0 {
		return
	}
	delete(c.asks, key)
	if ask.err != nil {
		c.ejectVetoes++
	}
	r.stepOn(rt, engine.Event{Kind: engine.EvEjectResult, Service: service, Instance: instance, Err: ask.err})
}

// routerFaultStart injects a router fault.
func (r *Runner) routerFaultStart(i int, f scenario.Fault) {
	c := &r.cluster
	var rt *routerState
	if f.Router == "leader" || f.Kind == scenario.FaultLeaderLoss {
		if len(c.members) == 0 {
			return
		}
		rt = r.rts[c.members[0]]
	} else if k, ok := scenario.RouterIndex(f.Router, len(r.rts)); ok {
		rt = r.rts[k]
	}
	if rt == nil {
		return
	}
	c.hit[i] = rt
	switch f.Kind {
	case scenario.FaultRouterCrash:
		r.crashRouter(rt)
	case scenario.FaultRouterPartition:
		rt.cut = true
	case scenario.FaultLeaderLoss:
		// The leader's session expired: it re-registers at the back of
		// the election queue and the next router leads.
		c.members = append(slices.DeleteFunc(c.members, func(m int) bool { return m == rt.idx }), rt.idx)
		r.announceCluster()
	}
}

// routerFaultEnd ends a partition or restarts a crashed router.
func (r *Runner) routerFaultEnd(i int, f scenario.Fault) {
	rt := r.cluster.hit[i]
	if rt == nil {
		return
	}
	switch f.Kind {
	case scenario.FaultRouterPartition:
		rt.cut = false
	case scenario.FaultRouterCrash:
		r.restartRouter(rt)
	}
}

// crashRouter kills rt: its queued and in-flight requests end with it
// (rejected as router-crash), its timers die, and the coordinator drops
// it once its session times out.
func (r *Runner) crashRouter(rt *routerState) {
	if !rt.up {
		return
	}
	rt.up = false
	rt.t.crashes++
	var ids []engine.RequestID
	r.reqs.each(func(id engine.RequestID, rq reqState) {
		if int(rq.rt) == rt.idx && rq.life == rt.life {
			ids = append(ids, id)
		}
	})
	for _, id := range ids {
		rq, _ := r.reqs.get(id)
		r.reqs.del(id)
		if rq.task > 0 {
			*r.inflightOn(&rq)--
		}
		st := r.svcs[rq.svc]
		st.t.Rejected++
		st.t.RejectedBy["router-crash"]++
		rt.t.rejected++
		r.rec.rejected(int(rq.svc))
	}
	rt.open = 0
	rt.life++
	// Asks waiting for its answer hear that it cannot be reached: a veto.
	var waiting []askKey
	for key, ask := range r.cluster.asks {
		if slices.Contains(ask.awaiting, rt.idx) {
			waiting = append(waiting, key)
		}
	}
	slices.SortFunc(waiting, func(a, b askKey) int {
		return cmp.Or(cmp.Compare(a.from, b.from), strings.Compare(a.service, b.service), strings.Compare(a.instance, b.instance))
	})
	for _, key := range waiting {
		if from := r.rts[key.from]; from.up {
			r.ejectAnswered(from, rt, key.service, key.instance, errPeerUnreachable)
		}
	}
	r.q.Push(r.now+r.sc.Cluster.SessionTimeout, ev{kind: evMemberExpiry, rt: uint8(rt.idx), life: rt.life})
}

// memberExpiry: the coordinator noticed a crashed router.
func (r *Runner) memberExpiry(e ev) {
	rt := r.rts[e.rt]
	if rt.up || rt.life != e.life {
		return // restarted meanwhile
	}
	c := &r.cluster
	c.members = slices.DeleteFunc(c.members, func(m int) bool { return m == rt.idx })
	r.announceCluster()
}

// restartRouter starts rt again with an empty engine; it registers anew
// unless its old registration is still there.
func (r *Runner) restartRouter(rt *routerState) {
	if rt.up {
		return
	}
	rt.life++
	rt.up = true
	rt.eng = engine.New(rt.cfg)
	rt.sync = syncer.New(rt.eng, SyncerConfig(r.sc))
	clear(rt.facts) // a new process: its adapter learnt nothing yet
	rt.wakeOn = false
	rt.open = 0
	c := &r.cluster
	if !slices.Contains(c.members, rt.idx) {
		c.members = append(c.members, rt.idx)
	}
	r.announceCluster()
	r.applyOn(rt, rt.sync.Start(r.at()))
}
