package router

import (
	"context"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// execute carries out one engine action. It never calls Step itself (see
// step); scheduler calls run on the op queue and report back through do.
func (d *Driver) execute(a engine.Action) {
	switch a.Kind {
	case engine.ActDispatch:
		d.dispatch(a)
	case engine.ActReject:
		d.reject(a)
	case engine.ActCreateService:
		d.createService(a)
	case engine.ActScaleService:
		d.scaleService(a)
	case engine.ActKillInstance:
		d.killInstance(a)
	case engine.ActDeleteService:
		d.deleteService(a)
	case engine.ActWakeAt:
		d.nextWake = a.At
		d.timer.Reset(max(a.At.Sub(d.clk.Now()), 0))
	}
}

// dispatch wakes the waiting handler with the instance's address, which
// the engine puts in the action.
func (d *Driver) dispatch(a engine.Action) {
	r, ok := d.reqs[a.Request]
	if !ok {
		return
	}
	r.dispatched = true
	d.reqs[a.Request] = r
	d.waiting--
	w := d.waiters[a.Request]
	delete(d.waiters, a.Request)
	if w == nil {
		// Nobody waits (the handler gave up in the same instant): give
		// the slot straight back.
		delete(d.reqs, a.Request)
		d.pending = append(d.pending, engine.Event{Kind: engine.EvRequestCanceled, Service: a.Service, Request: a.Request})
		return
	}
	w <- admitResult{grant: waiter.Grant{Request: a.Request, Service: a.Service, Instance: a.Instance,
		Host: a.Host, Port: a.Port}}
}

// reject answers a request with the engine's error.
func (d *Driver) reject(a engine.Action) {
	if r, ok := d.reqs[a.Request]; ok {
		d.untrack(a.Request, r)
	}
	if w := d.waiters[a.Request]; w != nil {
		delete(d.waiters, a.Request)
		var err error = a.Err
		if a.Err == nil {
			err = &engine.Error{Code: engine.CodeUnavailable, Message: "Request refused"}
		}
		w <- admitResult{err: err}
	}
}

func (d *Driver) createService(a engine.Action) {
	rec := d.services[a.Service]
	if rec == nil {
		rec = d.recordFor(a.Description)
	}
	rec.pendingOps++
	desc, n := a.Description, a.Instances
	d.submit(a.Service, func(ctx context.Context) error {
		return d.schedCall("create", a.Service, func() error { return d.sched.CreateService(ctx, desc, n) })
	}, func(err error) {
		rec.pendingOps--
		if err == nil {
			rec.existed = true
			rec.createdAtSeq = d.pollSeq.Load()
		}
		d.step(engine.Event{Kind: engine.EvCreateResult, Service: a.Service, Err: errText(err)})
	})
}

func (d *Driver) scaleService(a engine.Action) {
	rec := d.services[a.Service]
	if rec == nil {
		return
	}
	rec.pendingOps++
	n, force := a.Instances, a.Force
	d.submit(a.Service, func(ctx context.Context) error {
		return d.schedCall("scale", a.Service, func() error { return d.sched.ScaleService(ctx, a.Service, n, force) })
	}, func(err error) {
		rec.pendingOps--
		d.step(engine.Event{Kind: engine.EvScaleResult, Service: a.Service, Err: errText(err)})
	})
}

// deleteService: the engine has already forgotten the service; the driver
// forgets it too and keeps a tombstone until the scheduler stops listing it.
func (d *Driver) deleteService(a engine.Action) {
	desc := &engine.Description{ID: a.Service}
	if rec := d.services[a.Service]; rec != nil && rec.desc != nil {
		desc = rec.desc
		if rec.deployError != "" {
			d.closeDeploymentError(a.Service, d.clk.Now())
		}
	}
	delete(d.services, a.Service)
	tomb := &tombstone{pendingOps: 1}
	d.tombstones[a.Service] = tomb
	d.log.Info("deleting service", "service-id", a.Service, "why", a.Why)
	d.submit(a.Service, func(ctx context.Context) error {
		err := d.schedCall("delete", a.Service, func() error { return d.sched.DeleteService(ctx, a.Service) })
		if err == nil && d.cfg.Forget != nil {
			d.cfg.Forget(desc) // on the op queue: after the delete, before a later create of the same id
		}
		return err
	}, func(error) {
		tomb.pendingOps--
		tomb.deletedSeq = d.pollSeq.Load()
	})
}

// submit runs job on the op queue and then done (on the loop) with its
// error; a successful job also triggers a poll, so the engine learns
// about new or removed instances without waiting a full poll period.
func (d *Driver) submit(service string, job func(context.Context) error, done func(error)) {
	d.ops.submit(service, func() {
		ctx, cancel := d.clk.WithTimeout(d.opCtx, d.cfg.CallTimeout)
		err := job(ctx)
		cancel()
		d.do(func() {
			done(err)
			if err == nil {
				d.pollSoon()
			}
		})
	})
}

// schedCall makes one scheduler call, counted and timed for /metrics and
// logged when it fails.
func (d *Driver) schedCall(op, service string, call func() error) error {
	start := d.clk.Now()
	err := call()
	d.metrics.schedulerCall(op, d.clk.Since(start), err)
	if err != nil {
		d.log.Warn("scheduler call failed", "op", op, "service-id", service, "error", err)
	}
	return err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	if s := err.Error(); s != "" {
		return s
	}
	return "scheduler call failed"
}

// wakeIn is how long until the engine's next wake-up (for /state).
func (d *Driver) wakeIn() time.Duration {
	if d.nextWake.IsZero() {
		return 0
	}
	return max(d.nextWake.Sub(d.clk.Now()), 0)
}
