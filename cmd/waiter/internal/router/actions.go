package router

import (
	"context"
	"strings"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
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

// dispatch wakes the waiting handler with the instance's address.
func (d *Driver) dispatch(a engine.Action) {
	r := d.reqs[a.Request]
	if r == nil {
		return
	}
	r.dispatched = true
	d.addWaiting(r.m, -1)
	r.m.inflight++
	im := r.m.instances[a.Instance]
	r.inst = im
	if im != nil {
		im.inflight++
	}
	w := d.waiters[a.Request]
	delete(d.waiters, a.Request)
	if w == nil || im == nil {
		// Nobody waits (an internal request), or the engine chose an
		// instance the driver never saw: give the slot straight back.
		d.untrack(a.Request, r)
		if w != nil {
			w <- admitResult{err: &engine.Error{Code: engine.CodeUnavailable, Message: "Instance " + a.Instance + " is unknown to the router"}}
		}
		d.pending = append(d.pending, engine.Event{Kind: engine.EvRequestCanceled, Service: a.Service, Request: a.Request})
		return
	}
	w <- admitResult{grant: waiterhttp.Grant{Request: a.Request, Service: a.Service, Instance: a.Instance,
		Host: im.obs.Host, Port: im.obs.Port}}
}

// reject answers a request with the engine's error.
func (d *Driver) reject(a engine.Action) {
	if a.Err != nil && a.Err.Reason == engine.ReasonDeploymentError {
		if m := d.services[a.Service]; m != nil {
			m.deploymentError = strings.TrimPrefix(a.Err.Message, engine.MsgDeploymentErrorPrefix)
		}
	}
	if r := d.reqs[a.Request]; r != nil {
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
	m := d.services[a.Service]
	if m == nil {
		m = d.mirrorFor(a.Description)
	}
	m.requested = a.Instances
	m.pendingOps++
	desc, n := a.Description, a.Instances
	d.submit(a.Service, "create", func(ctx context.Context) error {
		return d.sched.CreateService(ctx, desc, n)
	}, func(err error) {
		m.pendingOps--
		if err == nil {
			m.existed = true
			m.createdAtSeq = d.pollSeq.Load()
		}
		d.step(engine.Event{Kind: engine.EvCreateResult, Service: a.Service, Err: errText(err)})
	})
}

func (d *Driver) scaleService(a engine.Action) {
	m := d.services[a.Service]
	if m == nil {
		return
	}
	state := "scale-up"
	if a.Instances < m.requested {
		state = "scale-down"
	}
	m.requested = a.Instances
	m.setScaling(state, d.clk.Now())
	m.pendingOps++
	n, force := a.Instances, a.Force
	d.submit(a.Service, "scale", func(ctx context.Context) error {
		return d.sched.ScaleService(ctx, a.Service, n, force)
	}, func(err error) {
		m.pendingOps--
		d.step(engine.Event{Kind: engine.EvScaleResult, Service: a.Service, Err: errText(err)})
	})
}

func (d *Driver) killInstance(a engine.Action) {
	m := d.services[a.Service]
	if m == nil {
		return
	}
	m.setScaling("scale-down", d.clk.Now())
	m.requested--
	m.pendingOps++
	d.submit(a.Service, "kill", func(ctx context.Context) error {
		return d.sched.KillInstance(ctx, a.Service, a.Instance)
	}, func(err error) {
		m.pendingOps--
		if err == nil {
			m.rememberKilled(a.Instance)
		}
		d.step(engine.Event{Kind: engine.EvKillResult, Service: a.Service, Instance: a.Instance, Err: errText(err)})
	})
}

// deleteService: the engine has already forgotten the service; the driver
// forgets it too and keeps a tombstone until the scheduler stops listing it.
func (d *Driver) deleteService(a engine.Action) {
	delete(d.services, a.Service)
	tomb := &tombstone{pendingOps: 1}
	d.tombstones[a.Service] = tomb
	d.log.Info("deleting service", "service-id", a.Service, "why", a.Why)
	d.submit(a.Service, "delete", func(ctx context.Context) error {
		return d.sched.DeleteService(ctx, a.Service)
	}, func(error) {
		tomb.pendingOps--
		tomb.deletedSeq = d.pollSeq.Load()
	})
}

// submit runs call on the op queue and then done (on the loop) with its
// error; a successful call also triggers a poll, so the engine learns
// about new or removed instances without waiting a full poll period.
func (d *Driver) submit(service, what string, call func(context.Context) error, done func(error)) {
	d.ops.submit(service, func() {
		ctx, cancel := d.clk.WithTimeout(d.opCtx, d.cfg.CallTimeout)
		err := call(ctx)
		cancel()
		if err != nil {
			d.log.Warn("scheduler call failed", "op", what, "service-id", service, "error", err)
		}
		d.do(func() {
			done(err)
			if err == nil {
				d.pollSoon()
			}
		})
	})
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
