package engine

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestClusterProperties runs three engines as one cluster over the same
// instances, with requests arriving at random routers, requests finishing
// with random outcomes, counters exchanged and every inter-router action
// delivered (ejects, kill delegation, work-stealing offers and releases).
// After every step no instance holds more requests over all routers than
// its concurrency level (slots are owned once; lending moves a slot, it
// does not copy it), and at the end every request has ended exactly once.
func TestClusterProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		routers := []string{"r1", "r2", "r3"}
		cl := rapid.IntRange(1, 4).Draw(rt, "cl")
		scheme := rapid.SampledFrom([]string{SchemeBalanced, SchemeSimple}).Draw(rt, "scheme")
		n := rapid.IntRange(3, 8).Draw(rt, "instances")
		d := mustDesc(rt, Params{"concurrency-level": float64(cl), "distribution-scheme": scheme,
			"min-instances": float64(n), "max-instances": float64(n)})
		var insts []ObservedInstance
		for i := range n {
			insts = append(insts, healthyAt(fmt.Sprintf("i%d", i), epoch.Add(time.Duration(i)*time.Second)))
		}
		c := &cluster{t: rt, now: epoch, byID: map[string]*Engine{}, where: map[RequestID]string{},
			ended: map[RequestID]int{}, on: map[RequestID]string{}}
		for i, id := range routers {
			e := New(Config{RouterID: id, WorkStealingSchemes: []string{SchemeBalanced, SchemeSimple}})
			c.byID[id] = e
			c.order = append(c.order, id)
			c.step(id, Event{Kind: EvClusterChanged, Cluster: &ClusterView{Routers: routers, Leader: i == 0}})
			c.step(id, Event{Kind: EvStartService, Service: d.ID, Description: d})
			c.step(id, Event{Kind: EvServiceObserved, Service: d.ID, Observation: &Observation{Exists: true,
				Requested: n, Scheduled: n, Instances: insts}})
		}
		next := RequestID(1)
		rt.Repeat(map[string]func(*rapid.T){
			"arrive": func(t *rapid.T) {
				r := rapid.SampledFrom(routers).Draw(t, "router")
				c.where[next] = r
				c.step(r, Event{Kind: EvRequestArrived, Service: d.ID, Request: next, Description: d})
				next++
			},
			"finish": func(t *rapid.T) {
				if len(c.on) == 0 {
					t.Skip("nothing in flight")
				}
				id := rapid.SampledFrom(c.inflight()).Draw(t, "request")
				o := rapid.SampledFrom([]Outcome{OutcomeSuccess, OutcomeSuccess, OutcomeInstanceBusy}).Draw(t, "outcome")
				delete(c.on, id)
				c.ended[id]++
				c.step(c.where[id], Event{Kind: EvRequestFinished, Request: id, Outcome: o})
			},
			"sync": func(t *rapid.T) {
				c.now = c.now.Add(time.Duration(rapid.IntRange(1, 300).Draw(t, "ms")) * time.Millisecond)
				c.syncCounters()
			},
			"": func(t *rapid.T) { c.checkSlots(d.ID, cl) },
		})
		// Finish everything; with the instances all serving again, every
		// queued request gets a slot and ends.
		for round := 0; round < 1000 && c.open(next); round++ {
			for _, id := range c.inflight() {
				delete(c.on, id)
				c.ended[id]++
				c.step(c.where[id], Event{Kind: EvRequestFinished, Request: id, Outcome: OutcomeSuccess})
			}
			c.now = c.now.Add(400 * time.Second) // ejections end
			for _, r := range routers {
				c.step(r, Event{Kind: EvTick})
			}
			c.syncCounters()
		}
		for id := RequestID(1); id < next; id++ {
			if c.ended[id] != 1 {
				rt.Fatalf("request %d ended %d times", id, c.ended[id])
			}
		}
	})
}

// cluster delivers the engines' actions to each other at once, in order.
type cluster struct {
	t     *rapid.T
	now   time.Time
	order []string
	byID  map[string]*Engine
	// where a request arrived, on which instance it runs, how often it ended.
	where map[RequestID]string
	on    map[RequestID]string
	ended map[RequestID]int
	queue []delivery
	// asks collects eject answers per asker and instance.
	asks map[string]*ask
}

type delivery struct {
	to string
	ev Event
}

type ask struct {
	waiting int
	err     error
}

// open reports whether a request below next has not ended.
func (c *cluster) open(next RequestID) bool {
	for id := RequestID(1); id < next; id++ {
		if c.ended[id] == 0 {
			return true
		}
	}
	return false
}

func (c *cluster) inflight() []RequestID {
	var ids []RequestID
	for id := RequestID(0); len(ids) < len(c.on); id++ {
		if _, ok := c.on[id]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func (c *cluster) step(router string, ev Event) {
	c.queue = append(c.queue, delivery{router, ev})
	for len(c.queue) > 0 {
		d := c.queue[0]
		c.queue = c.queue[1:]
		d.ev.At = c.now
		acts := append([]Action(nil), c.byID[d.to].Step(d.ev)...)
		for _, a := range acts {
			c.act(d.to, a)
		}
	}
}

func (c *cluster) act(from string, a Action) {
	send := func(to string, ev Event) { c.queue = append(c.queue, delivery{to, ev}) }
	switch a.Kind {
	case ActDispatch:
		if c.on[a.Request] != "" {
			c.t.Fatalf("request %d dispatched twice", a.Request)
		}
		c.on[a.Request] = a.Instance
	case ActReject:
		c.ended[a.Request]++
	case ActAskEject:
		if c.asks == nil {
			c.asks = map[string]*ask{}
		}
		k := from + "/" + a.Instance
		c.asks[k] = &ask{waiting: len(c.order) - 1}
		for _, r := range c.order {
			if r != from {
				send(r, Event{Kind: EvEjectRequested, Service: a.Service, Instance: a.Instance, Router: from})
			}
		}
	case ActEjectAnswer:
		k := a.Router + "/" + a.Instance
		if as := c.asks[k]; as != nil {
			if a.Err != nil {
				as.err = a.Err
			}
			if as.waiting--; as.waiting == 0 {
				delete(c.asks, k)
				send(a.Router, Event{Kind: EvEjectResult, Service: a.Service, Instance: a.Instance, Err: as.err})
			}
		}
	case ActKillInstance:
		// The scheduler refuses: the instances stay, so the property
		// keeps its fixed set of slots.
		send(from, Event{Kind: EvKillResult, Service: a.Service, Instance: a.Instance, Err: errNoSuchInstance})
	case ActDelegateKill:
		send(a.Router, Event{Kind: EvKillDelegated, Service: a.Service, Router: from})
	case ActKillCandidate:
		send(a.Router, Event{Kind: EvKillCandidate, Service: a.Service, Instance: a.Instance, Router: from})
	case ActOfferSlot:
		send(a.Router, Event{Kind: EvSlotOffered, Service: a.Service, Instance: a.Instance, Router: from})
	case ActReleaseSlot:
		send(a.Router, Event{Kind: EvSlotReleased, Service: a.Service, Instance: a.Instance, Router: from, Outcome: a.Outcome})
	}
}

func (c *cluster) syncCounters() {
	for _, from := range c.order {
		counters := c.byID[from].AppendCounters(nil)
		for _, to := range c.order {
			if to != from {
				c.step(to, Event{Kind: EvPeerCounters, Peer: &PeerCounters{Router: from, At: c.now, Services: counters}})
			}
		}
	}
}

// checkSlots: no instance holds more requests over the cluster than its
// concurrency level, and ended requests are not in flight.
func (c *cluster) checkSlots(service string, cl int) {
	per := map[string]int{}
	for id, in := range c.on {
		per[in]++
		if c.ended[id] > 0 {
			c.t.Fatalf("request %d in flight after it ended", id)
		}
	}
	for in, k := range per {
		if k > cl {
			c.t.Fatalf("instance %s holds %d requests over the cluster, concurrency level %d", in, k, cl)
		}
	}
}
