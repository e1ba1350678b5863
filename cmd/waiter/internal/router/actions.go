package router

import (
	"context"
	"log/slog"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/syncer"
)

// execute carries out one of the syncer's actions. It never calls the
// syncer itself (see apply): scheduler calls run on the op queue and
// report back through do. d.now is the time of the step that gave a.
func (d *Driver) execute(a syncer.Action) {
	if a.Kind == syncer.ActPollAt {
		d.wakePoller()
		return
	}
	if a.Call != 0 {
		d.callScheduler(a.Engine, a.Call)
		return
	}
	switch a.Engine.Kind {
	case engine.ActDispatch:
		d.dispatch(a.Engine)
	case engine.ActReject:
		d.reject(a.Engine)
	case engine.ActAskEject, engine.ActEjectAnswer, engine.ActDelegateKill, engine.ActKillCandidate,
		engine.ActOfferSlot, engine.ActReleaseSlot:
		d.peerAction(a.Engine)
	case engine.ActWakeAt:
		d.nextWake = a.Engine.At
		d.timer.Reset(max(a.Engine.At.Sub(d.now), 0))
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
	res := admitResult{grant: waiter.Grant{Request: a.Request, Service: a.Service, Instance: a.Instance,
		Host: a.Host, Port: a.Port}}
	if d.answerNow(a.Request, res) {
		d.reqs[a.Request] = r
		return
	}
	if !r.answer(res) {
		// Nobody waits (the handler gave up in the same instant): give
		// the slot straight back.
		delete(d.reqs, a.Request)
		d.pending = append(d.pending, engine.Event{Kind: engine.EvRequestCanceled, Service: a.Service, Request: a.Request})
		return
	}
	d.reqs[a.Request] = r
}

// reject answers a request with the engine's error.
func (d *Driver) reject(a engine.Action) {
	r, ok := d.reqs[a.Request]
	delete(d.reqs, a.Request)
	var err error = a.Err
	if a.Err == nil {
		err = &engine.Error{Code: engine.CodeUnavailable, Message: "Request refused"}
	}
	if d.answerNow(a.Request, admitResult{err: err}) {
		return
	}
	if ok {
		r.answer(admitResult{err: err})
	}
}

// callScheduler makes scheduler call number call on the op queue, which
// runs the calls of one service in order, and reports its outcome to the
// syncer. An operator kill's caller learns the outcome too.
func (d *Driver) callScheduler(a engine.Action, call uint64) {
	var op string
	var job func(ctx context.Context) error
	var result chan error
	switch a.Kind {
	case engine.ActCreateService:
		op = "create"
		job = func(ctx context.Context) error { return d.sched.CreateService(ctx, a.Description, a.Instances) }
	case engine.ActScaleService:
		op = "scale"
		job = func(ctx context.Context) error { return d.sched.ScaleService(ctx, a.Service, a.Instances, a.Force) }
	case engine.ActKillInstance:
		op = "kill"
		key := instanceKey{a.Service, a.Instance}
		result = d.kills[key]
		delete(d.kills, key)
		opts := engine.KillOptionsOf(a)
		job = func(ctx context.Context) error { return d.sched.KillInstance(ctx, a.Service, a.Instance, opts) }
	case engine.ActDeleteService:
		op = "delete"
		if rec := d.services[a.Service]; rec != nil && rec.deployError != "" {
			d.closeDeploymentError(a.Service, d.clk.Now())
		}
		delete(d.services, a.Service)
		d.log.Info("deleting service", "service-id", a.Service, "why", a.Why)
		desc := a.Description // the syncer's: what the service ran with
		if desc == nil {
			desc = &engine.Description{ID: a.Service}
		}
		job = func(ctx context.Context) error {
			err := d.sched.DeleteService(ctx, a.Service)
			if err == nil && d.cfg.Forget != nil {
				d.cfg.Forget(desc) // on the op queue: after the delete, before a later create of the same id
			}
			return err
		}
	default:
		return
	}
	d.logDecision(op, a)
	d.ops.submit(a.Service, func() {
		ctx, cancel := d.clk.WithTimeout(d.opCtx, d.cfg.CallTimeout)
		err := d.schedCall(op, a.Service, func() error { return job(ctx) })
		cancel()
		d.do(func() {
			if result != nil {
				result <- err
			}
			if err == nil && a.Kind == engine.ActKillInstance {
				if rec := d.services[a.Service]; rec != nil {
					rec.counters.Killed++
				}
				d.ejectKilled(a.Service, a.Instance)
			}
			d.apply(d.sync.CallDone(d.clk.Now(), call, err))
		})
	})
}

// logDecision writes the engine's scheduler decision at debug level, with
// the same key for the same concept in every line: service-id,
// instance-id, instances (the count asked for), force, replace and why.
func (d *Driver) logDecision(op string, a engine.Action) {
	if !d.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	attrs := []any{"op", op, "service-id", a.Service}
	switch a.Kind {
	case engine.ActCreateService, engine.ActScaleService:
		attrs = append(attrs, "instances", a.Instances, "force", a.Force)
	case engine.ActKillInstance:
		opts := engine.KillOptionsOf(a)
		attrs = append(attrs, "instance-id", a.Instance, "replace", opts.Replace, "force", opts.Force)
	}
	if a.Why != "" {
		attrs = append(attrs, "why", a.Why)
	}
	d.log.Debug("scaling decision", attrs...)
}

// schedCall makes one scheduler call, counted and timed for /metrics and
// logged when it fails.
func (d *Driver) schedCall(op, service string, call func() error) error {
	_, err := guardedCall(d, op, func() (struct{}, error) { return struct{}{}, call() })
	if err != nil {
		d.log.Warn("scheduler call failed", "op", op, "service-id", service, "error", err)
	}
	return err
}

// wakeIn is how long until the engine's next wake-up (for /state).
func (d *Driver) wakeIn() time.Duration {
	if d.nextWake.IsZero() {
		return 0
	}
	return max(d.nextWake.Sub(d.clk.Now()), 0)
}
