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
//
// Most requests are dispatched (or refused) by the very event that admits
// them; their answer is taken under the lock, with no reply channel and
// no map entry but the request's record. Only a request that queues gets
// a channel, which dispatch, reject or shutdown answer later.
func (d *Driver) Admit(ctx context.Context, a waiter.Admission) (waiter.Grant, error) {
	if a.Description == nil {
		return waiter.Grant{}, &engine.Error{Code: engine.CodeInvalid, Message: engine.MsgCannotIdentify}
	}
	id := engine.RequestID(d.nextID.Add(1))
	res, reply, admitted, answeredAt, ok := d.admitLocked(id, a)
	if !ok {
		return waiter.Grant{}, ErrStopped
	}
	if reply == nil {
		d.metrics.queueWait.Observe(answeredAt.Sub(admitted).Seconds())
		return res.grant, res.err
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

// admitLocked steps the request's arrival holding the lock. If that
// event answered the request, its answer and the time the event was
// stepped at come back with a nil channel; otherwise the request waits
// on the returned channel. admitted is when the request came to the
// lock (lockTimed). ok is false once the driver has stopped.
func (d *Driver) admitLocked(id engine.RequestID, a waiter.Admission) (res admitResult, reply chan admitResult, admitted, at time.Time, ok bool) {
	admitted, at, ok = d.lockTimed()
	if !ok {
		return admitResult{}, nil, admitted, at, false
	}
	defer d.endAdmit()
	d.admitting, d.admitDone = id, false
	d.arrive(id, a, admitted, at)
	d.admitting = 0
	if d.admitDone {
		res = d.admitRes
		d.admitDone, d.admitRes = false, admitResult{}
		return res, nil, admitted, at, true
	}
	reply = make(chan admitResult, 1)
	if r, queued := d.reqs[id]; queued {
		r.reply = reply
		d.reqs[id] = r
	}
	return admitResult{}, reply, admitted, at, true
}

// endAdmit ends admitLocked, also when the engine panicked: no later
// event may take itself for the answer of this admission.
func (d *Driver) endAdmit() {
	d.admitting, d.admitDone, d.admitRes = 0, false, admitResult{}
	d.mu.Unlock()
}

// answerNow takes the answer of the request being admitted under the
// lock (see admitLocked); false for any other request.
func (d *Driver) answerNow(id engine.RequestID, res admitResult) bool {
	if id == 0 || id != d.admitting {
		return false
	}
	d.admitRes, d.admitDone = res, true
	return true
}

// Release reports how a granted request ended.
func (d *Driver) Release(g waiter.Grant, outcome engine.Outcome) {
	if !d.lock() {
		return
	}
	defer d.mu.Unlock()
	r, ok := d.reqs[g.Request]
	if !ok || !r.dispatched {
		return
	}
	delete(d.reqs, g.Request)
	released := d.clk.Now()
	d.metrics.requestDone(outcome, released.Sub(r.admitted))
	d.stepAt(released, engine.Event{Kind: engine.EvRequestFinished, Service: g.Service, Request: g.Request, Outcome: outcome})
}

// arrive registers a request and steps EvRequestArrived at now. The
// service's record is kept only if the engine knows the service
// afterwards: a request for a service the engine refused to create (a
// per-user limit) must leave nothing behind, or a flood of such requests
// would grow the driver without bound (the syncer keeps no record of it
// either).
func (d *Driver) arrive(id engine.RequestID, a waiter.Admission, admitted, now time.Time) {
	d.reqs[id] = reqState{service: a.Description.ID, admitted: admitted}
	d.stepAt(now, engine.Event{Kind: engine.EvRequestArrived, Service: a.Description.ID, Request: id,
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
	r, ok := d.reqs[id]
	if !ok {
		return // already rejected or finished
	}
	delete(d.reqs, id)
	d.step(engine.Event{Kind: engine.EvRequestCanceled, Service: r.service, Request: id})
}
