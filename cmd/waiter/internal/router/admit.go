package router

import (
	"context"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

type admitResult struct {
	grant waiter.Grant
	err   error
}

// Admit hands a request to the engine and waits for its dispatch or
// rejection. If ctx ends first, the request is reported canceled (and, if
// it was dispatched meanwhile, released as a client error) and ctx's error
// is returned.
func (d *Driver) Admit(ctx context.Context, a waiter.Admission) (waiter.Grant, error) {
	if a.Description == nil {
		return waiter.Grant{}, &engine.Error{Code: engine.CodeInvalid, Message: engine.MsgCannotIdentify}
	}
	id := engine.RequestID(d.nextID.Add(1))
	reply := make(chan admitResult, 1)
	admitted := d.clk.Now()
	if !d.do(func() { d.arrive(id, a, admitted, reply) }) {
		return waiter.Grant{}, ErrStopped
	}
	select {
	case res := <-reply:
		d.metrics.queueWait.Observe(d.clk.Since(admitted).Seconds())
		return res.grant, res.err
	case <-ctx.Done():
		d.do(func() { d.cancel(id) })
		return waiter.Grant{}, ctx.Err()
	case <-d.quit:
		select {
		case res := <-reply:
			return res.grant, res.err
		default:
			return waiter.Grant{}, ErrStopped
		}
	}
}

// Release reports how a granted request ended.
func (d *Driver) Release(g waiter.Grant, outcome engine.Outcome) {
	released := d.clk.Now()
	d.do(func() {
		r, ok := d.reqs[g.Request]
		if !ok || !r.dispatched {
			return
		}
		delete(d.reqs, g.Request)
		d.metrics.requestDone(outcome, released.Sub(r.admitted))
		d.step(engine.Event{Kind: engine.EvRequestFinished, Service: g.Service, Request: g.Request, Outcome: outcome})
	})
}

// arrive registers a request and steps EvRequestArrived. The service's
// record is kept only if the engine knows the service afterwards: a
// request for a service the engine refused to create (a per-user limit)
// must leave nothing behind, or a flood of such requests would grow the
// driver without bound (the syncer keeps no record of it either).
func (d *Driver) arrive(id engine.RequestID, a waiter.Admission, admitted time.Time, reply chan admitResult) {
	d.reqs[id] = reqState{service: a.Description.ID, admitted: admitted}
	d.waiters[id] = reply
	d.step(engine.Event{Kind: engine.EvRequestArrived, Service: a.Description.ID, Request: id,
		Description: a.Description, QueueTimeout: a.QueueTimeout, Priority: a.Priority})
	if !d.eng.Knows(a.Description.ID) {
		d.forgetRefused(a.Description)
		return
	}
	rec := d.recordFor(a.Description)
	rec.total++
	rec.lastRequest = admitted
	d.noteColdStart(rec, id)
}

// cancel handles a client that went away: a queued request leaves the
// queue; a dispatched one (its grant went unread) is released.
func (d *Driver) cancel(id engine.RequestID) {
	delete(d.waiters, id)
	r, ok := d.reqs[id]
	if !ok {
		return // already rejected or finished
	}
	delete(d.reqs, id)
	d.step(engine.Event{Kind: engine.EvRequestCanceled, Service: r.service, Request: id})
}
