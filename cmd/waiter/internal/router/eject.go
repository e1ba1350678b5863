package router

import (
	"context"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// This file carries out the engine's side of the inter-router protocol
// (engine/cluster_engine.go): what peers ask of this router comes in as
// events, and the engine's answers and requests go out through Peers. The
// answers a peer waits for (ActEjectAnswer, ActKillCandidate) are emitted
// in the same step as the question, so the HTTP handler that asked reads
// them straight back (answers).

// ejectLocked steps a peer's eject (EvEjectRequested): the engine ejects
// the instance here, or vetoes while a request of ours runs on it.
// Holding mu.
func (d *Driver) ejectLocked(from, service, instance string) error {
	a, ok := d.ask(engine.Event{Kind: engine.EvEjectRequested, Router: from, Service: service, Instance: instance},
		engine.ActEjectAnswer)
	if ok && a.Err != nil {
		return waiter.ErrInstanceInUse
	}
	return nil
}

// killCandidateLocked steps the leader's delegated kill
// (EvKillDelegated): the engine names an idle instance, ejected here at
// once, or none. Holding mu.
func (d *Driver) killCandidateLocked(from, service string) (string, error) {
	a, ok := d.ask(engine.Event{Kind: engine.EvKillDelegated, Router: from, Service: service}, engine.ActKillCandidate)
	if !ok || a.Instance == "" {
		return "", waiter.ErrNothingToKill
	}
	return a.Instance, nil
}

// ask steps ev and returns the engine's answer of kind want to it.
// Holding mu.
func (d *Driver) ask(ev engine.Event, want engine.ActionKind) (engine.Action, bool) {
	d.answers = d.answers[:0]
	d.capture = true
	d.step(ev)
	d.capture = false
	for _, a := range d.answers {
		if a.Kind == want && a.Router == ev.Router && a.Service == ev.Service {
			return a, true
		}
	}
	return engine.Action{}, false
}

// peerAction carries out an inter-router action of the engine. Holding
// mu; the calls run on their own goroutines and report back through do.
func (d *Driver) peerAction(a engine.Action) {
	switch a.Kind {
	case engine.ActAskEject:
		d.askEject(a)
	case engine.ActEjectAnswer, engine.ActKillCandidate:
		if d.capture {
			d.answers = append(d.answers, a)
		}
	case engine.ActDelegateKill:
		d.peerCall(func(ctx context.Context, p Peers) {
			inst, err := p.AskKillCandidate(ctx, a.Router, a.Service)
			if err != nil {
				d.log.Debug("delegated kill", "router", a.Router, "service-id", a.Service, "error", err)
			}
			// "" tells the engine the peer had none (or did not answer).
			d.do(func() {
				d.step(engine.Event{Kind: engine.EvKillCandidate, Router: a.Router, Service: a.Service, Instance: inst})
			})
		})
	case engine.ActOfferSlot:
		d.peerCall(func(ctx context.Context, p Peers) {
			if err := p.OfferSlot(ctx, a.Router, a.Service, a.Instance); err != nil {
				// The offer never arrived: the slot is ours again.
				d.do(func() {
					d.step(engine.Event{Kind: engine.EvSlotReleased, Router: a.Router, Service: a.Service,
						Instance: a.Instance, Err: err})
				})
			}
		})
	case engine.ActReleaseSlot:
		d.peerCall(func(ctx context.Context, p Peers) {
			if err := p.ReleaseSlot(ctx, a.Router, a.Service, a.Instance, a.Outcome); err != nil {
				d.log.Debug("giving back a lent slot", "router", a.Router, "service-id", a.Service,
					"instance-id", a.Instance, "error", err)
			}
		})
	}
}

// peerCall runs f on its own goroutine, bounded by CallTimeout and ended
// by the driver's stop; nothing when the router has no peers.
func (d *Driver) peerCall(f func(ctx context.Context, p Peers)) {
	p := d.cfg.Peers
	if p == nil {
		return
	}
	d.peerCalls.Add(1)
	go func() {
		defer d.peerCalls.Done()
		ctx, cancel := d.clk.WithTimeout(d.opCtx, d.cfg.CallTimeout)
		defer cancel()
		f(ctx, p)
	}()
}
