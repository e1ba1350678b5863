package engine

import (
	"strconv"
	"time"
)

// arrive admits a request: dispatch at once when a slot is free, else
// queue it, or reject it when the service cannot take it.
func (e *Engine) arrive(ev *Event) {
	if e.requests.has(ev.Request) {
		return // the driver reused an unfinished id; ignore the duplicate
	}
	svc := e.lookupRef(ev.Ref, ev.Service)
	if svc == nil {
		if ev.Description == nil || ev.Description.ID != ev.Service {
			e.rejectNew(ev.Request, ev.Service, &Error{Code: CodeNotFound, Reason: ReasonInvalidDescription,
				Message: MsgCannotIdentify})
			return
		}
		if err := e.admitNewService(ev.Description); err != nil {
			e.rejectNew(ev.Request, ev.Service, err)
			return
		}
		svc = e.addService(ev.Description)
	}
	svc.lastActivity = e.now
	if !svc.created && !e.now.Before(svc.createRetry) {
		e.createService(svc)
	}
	switch {
	case svc.suspended:
		e.rejectNew(ev.Request, svc.id, &Error{Code: CodeUnavailable, Reason: ReasonSuspended, Message: MsgSuspended})
		return
	case svc.deploymentError != "":
		e.rejectNew(ev.Request, svc.id, deploymentErr(svc))
		return
	}
	timeout := ev.QueueTimeout
	if timeout <= 0 {
		timeout = e.cfg.DefaultQueueTimeout
	}
	svc.sampleBefore(e.now)
	svc.arrived++
	e.seq++
	if svc.waiting == 0 || ev.Priority {
		if in := e.pick(svc); in != nil {
			rec := e.requests.insert(ev.Request)
			rec.svc, rec.seq = svc, e.seq
			e.dispatch(ev.Request, rec, in)
			return
		}
	}
	if svc.waiting >= svc.desc.MaxQueueLength {
		e.rejectNew(ev.Request, svc.id, &Error{Code: CodeUnavailable, Reason: ReasonQueueFull,
			Message: MsgMaxQueueLength, Details: []Detail{{Key: "service-id", Value: svc.id}}})
		return
	}
	rec := e.requests.insert(ev.Request)
	rec.svc, rec.seq = svc, e.seq
	rec.queued = true
	deadline := e.now.Add(timeout)
	rec.deadline = deadline
	entry := queueEntry{id: ev.Request, seq: rec.seq, timeout: timeout}
	if ev.Priority {
		svc.prio.push(entry)
	} else {
		svc.queue.push(entry)
	}
	svc.waiting++
	e.waiting++
	// A minDeadline that is not in the future is stale: its visit already ran.
	if !svc.minDeadline.After(e.now) || deadline.Before(svc.minDeadline) {
		svc.minDeadline = deadline
		e.schedule(svc, deadline)
	}
}

// dispatch sends request id to in and updates rec, which the caller
// stores.
func (e *Engine) dispatch(id RequestID, rec *reqRecord, in *instance) {
	svc := rec.svc
	rec.inst, rec.queued = in, false
	in.inflight++
	in.lastDispatch = e.now
	svc.inflight++
	svc.freeSlots--
	if in.inflight >= svc.capacity(in) {
		svc.setAvail(in, false)
	}
	// Filled in place: a literal is built on the stack and then copied
	// into e.out, and an Action is ~180 bytes (a fifth of the request
	// path's time went to this one line).
	e.out = append(e.out, Action{})
	a := &e.out[len(e.out)-1]
	a.Kind, a.Service, a.Request, a.Instance = ActDispatch, svc.id, id, in.id
	a.Ref, a.Host, a.Port = in.ref, in.host, in.port
}

// pick chooses an instance with a free slot by the service's load
// balancing, or nil. Non-expired instances are preferred for every mode:
// expired ones sort last and are used only when no fresh one is free.
func (e *Engine) pick(svc *service) *instance {
	if svc.sortDirty {
		svc.refresh()
	}
	if svc.freeSlots <= 0 {
		return nil
	}
	lb := svc.lb
	if lb == LBRandom && svc.scalingState == ScalingDown {
		lb = LBYoungest // Waiter drains the youngest while scaling down
	}
	var i int
	switch lb {
	case LBYoungest:
		i = lastSet(svc.avail, svc.fresh)
	case LBRandom:
		if n := countSet(svc.avail, svc.fresh); n > 0 {
			i = nthSet(svc.avail, e.rng.intn(n))
		} else {
			i = -1
		}
	default:
		i = firstSet(svc.avail, 0)
		if i >= svc.fresh {
			i = -1
		}
	}
	if i < 0 {
		i = firstSet(svc.avail, svc.fresh) // expired: youngest first
	}
	if i < 0 || i >= len(svc.sorted) {
		return nil
	}
	return svc.sorted[i]
}

// drain dispatches queued requests while slots are free, priority first.
func (e *Engine) drain(svc *service) {
	for svc.waiting > 0 {
		in := e.pick(svc)
		if in == nil {
			return
		}
		id, rec, ok := e.popQueued(svc)
		if !ok {
			return
		}
		e.dispatch(id, rec, in)
	}
}

// popQueued returns the next live queued request, skipping stale entries,
// with its record where the engine keeps it (valid until the next insert).
func (e *Engine) popQueued(svc *service) (RequestID, *reqRecord, bool) {
	for _, q := range [...]*reqQueue{&svc.prio, &svc.queue} {
		for {
			entry, ok := q.pop()
			if !ok {
				break
			}
			if i, live := e.requests.find(entry.id); live {
				if rec := &e.requests.slots[i].rec; rec.queued && rec.seq == entry.seq {
					svc.waiting--
					e.waiting--
					return entry.id, rec, true
				}
			}
		}
	}
	return 0, nil, false
}

// finish releases a dispatched request's slot and applies the outcome to
// the instance (ejection on instance errors and busy answers).
func (e *Engine) finish(id RequestID, outcome Outcome) {
	i, ok := e.requests.find(id)
	if !ok {
		return // unknown: nothing to release
	}
	rec := &e.requests.slots[i].rec
	if rec.queued {
		return // never dispatched
	}
	svc, in := rec.svc, rec.inst
	e.requests.delAt(i)
	// A request beyond the slots this router owns ran on a borrowed one:
	// give it back to its lender with the outcome (Waiter: one offer
	// serves one request).
	borrowed := svc.clustered && in.received > 0 && in.inflight > in.slots-in.lent
	svc.sampleBefore(e.now)
	svc.completed++
	svc.inflight--
	in.inflight--
	svc.lastActivity = e.now
	if svc.removed {
		return
	}
	if borrowed {
		e.releaseBorrowed(svc, in, outcome)
		svc.refresh()
	} else if in.serving() && in.inflight < svc.capacity(in) {
		svc.freeSlots++
		svc.setAvail(in, true)
	}
	e.applyOutcome(svc, in, outcome)
	e.drain(svc)
}

// applyOutcome applies how a request on in ended to in: success forgives
// failures, instance errors and busy answers eject it.
func (e *Engine) applyOutcome(svc *service, in *instance, outcome Outcome) {
	switch outcome {
	case OutcomeSuccess:
		if in.consecutiveFailures > 0 || in.ejected {
			in.consecutiveFailures = 0
			if in.ejected && !in.killed {
				in.ejected = false
				svc.refresh()
			}
		}
	case OutcomeInstanceError, OutcomeInstanceBusy:
		in.consecutiveFailures++
		e.eject(svc, in, ejectPeriod(&e.cfg, in.consecutiveFailures))
		if in.consecutiveFailures >= e.cfg.EjectionExpiryThreshold && !in.expiredByFailures {
			in.expiredByFailures = true
			svc.sortDirty = true
		}
		svc.refresh()
	}
}

// eject keeps in from receiving requests for d.
func (e *Engine) eject(svc *service, in *instance, d time.Duration) {
	until := e.now.Add(d)
	if in.ejected && in.ejectedUntil.After(until) {
		return
	}
	in.ejected = true
	in.ejectedUntil = until
	e.schedule(svc, until)
}

// cancel handles a client that went away.
func (e *Engine) cancel(id RequestID) {
	rec, ok := e.requests.get(id)
	if !ok {
		return
	}
	if !rec.queued {
		e.finish(id, OutcomeClientError)
		return
	}
	e.requests.del(id)
	rec.svc.sampleBefore(e.now)
	rec.svc.waiting--
	e.waiting--
	rec.svc.lastActivity = e.now
}

// rejectNew refuses a request that was never admitted.
//
// Not inlined: arrive calls it five times, and each inlined copy put an
// Action (about 180 bytes) in arrive's frame, 1.3 KB in all, on the
// stack of every connection of `waiter serve` that admits a request
// (a goroutine keeps the deepest stack it grew; see serve's
// TestIdleConnectionStackStaysSmall). A rejection can afford the call.
//
//go:noinline
func (e *Engine) rejectNew(id RequestID, service string, err *Error) {
	e.emit(Action{Kind: ActReject, Service: service, Request: id, Err: err})
}

// rejectQueued refuses an admitted, queued request.
func (e *Engine) rejectQueued(id RequestID, err *Error) {
	rec, _ := e.requests.get(id)
	e.requests.del(id)
	rec.svc.sampleBefore(e.now)
	rec.svc.waiting--
	e.waiting--
	e.emit(Action{Kind: ActReject, Service: rec.svc.id, Request: id, Err: err})
}

// rejectAllQueued refuses every queued request of svc, in FIFO order.
func (e *Engine) rejectAllQueued(svc *service, err *Error) {
	for svc.waiting > 0 {
		id, _, ok := e.popQueued(svc)
		if !ok {
			break
		}
		svc.waiting++ // popQueued counted it out; rejectQueued does too
		e.waiting++
		e.rejectQueued(id, err)
	}
	svc.queue.compact(func(queueEntry) bool { return false })
	svc.prio.compact(func(queueEntry) bool { return false })
	svc.minDeadline = time.Time{}
}

// expireQueued rejects queued requests whose queue timeout passed and
// recomputes the earliest remaining deadline.
func (e *Engine) expireQueued(svc *service) {
	if svc.waiting == 0 {
		svc.minDeadline = time.Time{}
		return
	}
	if svc.minDeadline.IsZero() || svc.minDeadline.After(e.now) {
		return
	}
	var next time.Time
	var expired []queueEntry
	keep := func(entry queueEntry) bool {
		rec, live := e.requests.get(entry.id)
		if !live || !rec.queued || rec.seq != entry.seq {
			return false
		}
		if !rec.deadline.After(e.now) {
			expired = append(expired, entry)
			return false
		}
		if next.IsZero() || rec.deadline.Before(next) {
			next = rec.deadline
		}
		return true
	}
	svc.prio.compact(keep)
	svc.queue.compact(keep)
	if len(expired) > 0 {
		c := svc.counts(e.now)
		for _, entry := range expired {
			e.rejectQueued(entry.id, queueTimeoutErr(svc, entry.timeout, c))
		}
	}
	svc.minDeadline = next
	if !next.IsZero() {
		e.schedule(svc, next)
	}
}

// queueTimeoutErr is Waiter's "After N seconds, no instance available to
// handle request." with its hints and diagnostic details.
func queueTimeoutErr(svc *service, timeout time.Duration, c instanceCounts) *Error {
	msg := "After " + strconv.Itoa(int(timeout/time.Second)) + " seconds, no instance available to handle request."
	if c.healthy == 0 && (c.unhealthy > 0 || len(svc.failed) > 0) {
		msg += MsgStartProperly
	}
	if svc.outstanding() > 0 && c.healthy > 0 {
		msg += MsgScaleProperly
	}
	return &Error{Code: CodeUnavailable, Reason: ReasonQueueTimeout, Message: msg, Details: []Detail{
		{Key: "service-id", Value: svc.id},
		{Key: "outstanding-requests", Value: strconv.Itoa(svc.outstanding())},
		{Key: "waiting-for-available-instance", Value: strconv.Itoa(svc.waiting)},
		// Waiter counts requests that hold an instance but still wait to
		// stream their body; this router streams as soon as it holds one.
		{Key: "requests-waiting-to-stream", Value: "0"},
		{Key: "healthy-instances", Value: strconv.Itoa(c.healthy)},
		{Key: "unhealthy-instances", Value: strconv.Itoa(c.unhealthy)},
		{Key: "failed-instances", Value: strconv.Itoa(len(svc.failed))},
		{Key: "slots-available", Value: strconv.Itoa(svc.freeSlots)},
		{Key: "slots-in-use", Value: strconv.Itoa(svc.inflight)},
	}}
}

func deploymentErr(svc *service) *Error {
	return &Error{Code: CodeUnavailable, Reason: ReasonDeploymentError,
		Message: MsgDeploymentErrorPrefix + svc.deploymentError,
		Details: []Detail{{Key: "service-id", Value: svc.id}}}
}
