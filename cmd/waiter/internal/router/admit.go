package router

import (
	"context"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/engine"
)

type admitResult struct {
	grant waiterhttp.Grant
	err   error
}

// Admit hands a request to the engine and waits for its dispatch or
// rejection. If ctx ends first, the request is reported canceled (and, if
// it was dispatched meanwhile, released as a client error) and ctx's error
// is returned.
func (d *Driver) Admit(ctx context.Context, a waiterhttp.Admission) (waiterhttp.Grant, error) {
	if a.Description == nil {
		return waiterhttp.Grant{}, &engine.Error{Code: engine.CodeInvalid, Message: engine.MsgCannotIdentify}
	}
	id := engine.RequestID(d.nextID.Add(1))
	reply := make(chan admitResult, 1)
	if !d.do(func() { d.arrive(id, a, reply, false) }) {
		return waiterhttp.Grant{}, ErrStopped
	}
	select {
	case res := <-reply:
		return res.grant, res.err
	case <-ctx.Done():
		d.do(func() { d.cancel(id) })
		return waiterhttp.Grant{}, ctx.Err()
	case <-d.quit:
		select {
		case res := <-reply:
			return res.grant, res.err
		default:
			return waiterhttp.Grant{}, ErrStopped
		}
	}
}

// Release reports how a granted request ended.
func (d *Driver) Release(g waiterhttp.Grant, outcome engine.Outcome) {
	d.do(func() {
		r := d.reqs[g.Request]
		if r == nil || !r.dispatched {
			return
		}
		d.untrack(g.Request, r)
		d.step(engine.Event{Kind: engine.EvRequestFinished, Service: g.Service, Request: g.Request, Outcome: outcome})
	})
}

// arrive registers a request and steps EvRequestArrived.
func (d *Driver) arrive(id engine.RequestID, a waiterhttp.Admission, reply chan admitResult, internal bool) {
	m := d.mirrorFor(a.Description)
	d.addWaiting(m, 1)
	if !internal {
		m.total++
		m.lastRequest = d.clk.Now()
	}
	d.reqs[id] = &reqState{m: m, internal: internal}
	d.waiters[id] = reply
	d.step(engine.Event{Kind: engine.EvRequestArrived, Service: a.Description.ID, Request: id,
		Description: a.Description, QueueTimeout: a.QueueTimeout, Priority: a.Priority})
}

// cancel handles a client that went away: a queued request leaves the
// queue; a dispatched one (its grant went unread) is released.
func (d *Driver) cancel(id engine.RequestID) {
	delete(d.waiters, id)
	r := d.reqs[id]
	if r == nil {
		return // already rejected or finished
	}
	d.untrack(id, r)
	d.step(engine.Event{Kind: engine.EvRequestCanceled, Service: r.m.id, Request: id})
}

// untrack forgets a request and fixes the counts it held.
func (d *Driver) untrack(id engine.RequestID, r *reqState) {
	delete(d.reqs, id)
	if r.dispatched {
		r.m.inflight--
		if r.inst != nil {
			r.inst.inflight--
		}
		return
	}
	d.addWaiting(r.m, -1)
}

// addWaiting changes a service's count of requests waiting for an
// instance, and the router-wide total that decides fast polling.
func (d *Driver) addWaiting(m *svcMirror, delta int) {
	m.waiting += delta
	d.waiting += delta
}

// mirrorFor returns the mirror of a service, creating it (and lifting a
// tombstone: a new request re-creates a deleted service) as needed.
func (d *Driver) mirrorFor(desc *engine.Description) *svcMirror {
	m := d.services[desc.ID]
	if m == nil {
		m = newMirror(desc)
		d.services[desc.ID] = m
		delete(d.tombstones, desc.ID)
	}
	return m
}
