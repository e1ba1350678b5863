package router

import (
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

var _ waiter.AsyncAdmitter = (*Driver)(nil)

// AdmitAsync is Admit for a caller that cannot block (the event-loop
// front): the same arrival, stepped the same way under the lock, but a
// request the engine queues is answered through notify instead of a
// channel the caller waits on.
func (d *Driver) AdmitAsync(a waiter.Admission, notify func(waiter.Grant, error)) (waiter.Grant, engine.RequestID, error) {
	if a.Description == nil {
		return waiter.Grant{}, 0, &engine.Error{Code: engine.CodeInvalid, Message: engine.MsgCannotIdentify}
	}
	id := engine.RequestID(d.nextID.Add(1))
	admitted, at, ok := d.lockTimed()
	if !ok {
		return waiter.Grant{}, 0, ErrStopped
	}
	defer d.endAdmit()
	d.admitting, d.admitDone = id, false
	d.arrive(id, a, admitted, at)
	d.admitting = 0
	if d.admitDone {
		res := d.admitRes
		d.admitDone, d.admitRes = false, admitResult{}
		d.metrics.queueWait.Observe(at.Sub(admitted).Seconds())
		return res.grant, 0, res.err
	}
	r, queued := d.reqs[id]
	if !queued {
		// Neither answered nor waiting: the engine dropped it (it cannot
		// here, but a caller must never wait for nothing).
		return waiter.Grant{}, 0, &engine.Error{Code: engine.CodeUnavailable, Message: "Request refused"}
	}
	r.notify = func(g waiter.Grant, err error) {
		d.metrics.queueWait.Observe(d.clk.Since(admitted).Seconds())
		notify(g, err)
	}
	d.reqs[id] = r
	return waiter.Grant{}, id, nil
}

// CancelAdmission withdraws a request AdmitAsync queued, whose client
// went away: it leaves the queue, or, dispatched meanwhile with its
// answer unused, is released as canceled (Admit's cancel).
func (d *Driver) CancelAdmission(pending engine.RequestID) {
	d.do(func() {
		if r, ok := d.reqs[pending]; ok {
			r.notify = nil
			d.reqs[pending] = r
		}
		d.cancel(pending)
	})
}

// answer gives a waiting request its answer, on the channel its Admit
// waits on or through its AdmitAsync notify; false when nothing waits
// for it.
func (r *reqState) answer(res admitResult) bool {
	switch {
	case r.reply != nil:
		r.reply <- res
		r.reply = nil
	case r.notify != nil:
		r.notify(res.grant, res.err)
		r.notify = nil
	default:
		return false
	}
	return true
}
