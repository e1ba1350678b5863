package engine

import (
	"math"
	"strconv"
	"time"
)

// scalingPass runs once per scaling interval over every service in id
// order: retire idle services, ask each service's policy for a decision
// and turn the decision into scheduler actions (Waiter's apply-scaling!).
func (e *Engine) scalingPass() {
	ticks := 0
	if !e.lastScaleAt.IsZero() {
		ticks = int(e.now.Sub(e.lastScaleAt) / e.cfg.ScalingInterval)
	}
	e.lastScaleAt = e.now
	e.nextScaleAt = e.now.Add(e.cfg.ScalingInterval)
	e.wakeStale = true

	for i := 0; i < len(e.order); {
		svc := passService(e.order, i)
		if e.leads() && e.staleDue(svc) {
			e.removeService(svc, ReasonServiceDeleted, "stale: its tokens were edited")
			continue // removeService shifted the slice
		}
		if e.leads() && e.idle(svc) {
			e.removeService(svc, ReasonServiceDeleted, "idle for "+svc.desc.IdleTimeout.String())
			continue
		}
		i++
		if !svc.created {
			if svc.outstanding() > 0 && !e.now.Before(svc.createRetry) {
				e.createService(svc)
			}
			continue
		}
		if !svc.observed {
			continue // nothing to scale until the scheduler has reported
		}
		e.refreshExpiry(svc)
		if svc.scaler == nil {
			p := e.cfg.Policies[svc.policy]
			svc.scaler = p.NewScaler(svc.desc,
				ScaleStart{Now: e.now, Scheduled: svc.scheduled, Healthy: svc.healthy})
			svc.samples = svc.samples[:0] // any of a previous policy's
			if needsConcurrency(p) {
				svc.startSampling(e.now)
			}
			svc.arrived, svc.completed = 0, 0
		}
		svc.sampleThrough(e.now)
		if ticks == 0 {
			continue // Waiter's first cycle has no elapsed ticks: no scaling
		}
		// refresh keeps these counts whenever an instance changes (the
		// pass no longer walks the instances for them).
		c := instanceCounts{healthy: svc.healthy, expiredHealthy: svc.expHealthy, expiredUnhealthy: svc.expUnhealthy}
		expired := c.expiredHealthy + min(e.cfg.MaxExpiredUnhealthy, c.expiredUnhealthy)
		if ws, ok := svc.scaler.(*waiterScaler); ok {
			// Waiter's policy reads these alone: the same call as its
			// Scale without copying a ScaleInput and a Decision through
			// the interface (see waiterScaler.scale). Waiter's policy
			// reads no samples and never retires a service.
			to, target := ws.scale(svc.desc, ticks, e.clusterOutstanding(svc), svc.requested, c.healthy, expired)
			amount := to - svc.requested
			d := &svc.lastDecision
			d.ScaleAmount, d.ScaleTo, d.Target, d.Retire, d.Panicking = amount, to, target, false, false
			svc.arrived, svc.completed = 0, 0
			svc.decided = true
			svc.scalingState = scalingStateOf(amount)
			if amount != 0 && e.leads() { // applyDecision does nothing otherwise
				e.applyDecision(svc, *d, c)
			}
			continue
		}
		dec := svc.scaler.Scale(ScaleInput{
			Now:         e.now,
			Ticks:       ticks,
			Outstanding: e.clusterOutstanding(svc),
			Concurrency: svc.samples,
			InFlight:    svc.inflight,
			Queued:      svc.waiting,
			Arrived:     svc.arrived,
			Completed:   svc.completed,
			Requested:   svc.requested,
			Scheduled:   svc.scheduled,
			Healthy:     c.healthy,
			Expired:     expired,
			Routers:     e.routersOf(svc),
			Desc:        svc.desc,
		})
		svc.samples = svc.samples[:0]
		svc.arrived, svc.completed = 0, 0
		svc.lastDecision, svc.decided = dec, true
		svc.scalingState = scalingStateOf(dec.ScaleAmount)
		if !e.leads() {
			continue // every router computes; only the leader's decisions reach the scheduler
		}
		if dec.Retire && e.clusterOutstanding(svc) == 0 {
			e.removeService(svc, ReasonServiceDeleted, "retired by the "+svc.policy+" policy")
			i--
			continue
		}
		if dec.ScaleAmount != 0 { // applyDecision does nothing otherwise
			e.applyDecision(svc, dec, c)
		}
	}
}

// routersOf is the number of routers sharing svc's instances.
func (e *Engine) routersOf(svc *service) int {
	if svc.clustered && e.cluster != nil {
		return max(1, len(e.cluster.routers))
	}
	return 1
}

// idle reports whether svc may be removed: it has an idle timeout, nothing
// outstanding, and no activity for that long.
func (e *Engine) idle(svc *service) bool {
	return svc.idleTimeout > 0 && e.clusterOutstanding(svc) == 0 &&
		elapsedAtLeast(e.now, e.clusterLastActivity(svc), svc.idleTimeout)
}

// elapsedAtLeast reports whether now.Sub(since) >= d, for d > 0, as
// !now.Before(since + d): without Sub's check for overflow (an Add and
// an Equal, a seventh of a scaling pass over a thousand services), and
// the same for any two times, those too far apart for a Duration too.
func elapsedAtLeast(now, since time.Time, d time.Duration) bool {
	return !now.Before(since.Add(d))
}

// applyDecision turns a scaling decision into scheduler actions by Waiter's
// executor rules (scale-service: quanta, pending scales, expired
// replacements, which instance to kill).
func (e *Engine) applyDecision(svc *service, dec Decision, c instanceCounts) {
	d := svc.desc
	switch {
	case dec.ScaleAmount > 0:
		if svc.scheduled < svc.requested || svc.scalePending {
			return // allow the previous scale operation to complete
		}
		amount := scaleAmountByQuanta(d.CPUs, d.MemMB, e.cfg.QuantaCPUs, e.cfg.QuantaMemMB, dec.ScaleAmount)
		// Replacements for expired instances may take the service past
		// max-instances (Waiter does), but never by more than that.
		limit := d.MaxInstances + c.expiredHealthy + c.expiredUnhealthy
		to := min(svc.requested+amount, max(limit, d.MinInstances))
		to = e.instanceRoom(svc, to) // the user's share (MaxInstancesPerUser)
		if to <= svc.requested {
			return
		}
		e.scaleTo(svc, to, false, "scale up by "+strconv.Itoa(to-svc.requested)+" toward "+strconv.FormatFloat(dec.Target, 'f', 2, 64))
	case dec.ScaleAmount < 0:
		if svc.scheduled < dec.ScaleTo {
			// Overshoot: fewer tasks than wanted while scaling down; force.
			e.scaleTo(svc, dec.ScaleTo, true, "force scale to "+strconv.Itoa(dec.ScaleTo))
			return
		}
		if svc.scheduled-dec.ScaleTo <= 0 || svc.killPending != "" {
			return
		}
		if !svc.lastKillAt.IsZero() && e.now.Sub(svc.lastKillAt) < e.cfg.InterKillWait {
			return
		}
		if svc.requested-1 < d.MinInstances {
			return
		}
		if svc.clustered && e.cluster.peersAlive() {
			e.clusterKill(svc, "scale down toward "+strconv.Itoa(dec.ScaleTo))
			return
		}
		if in := e.findKillable(svc); in != nil {
			in.locked = true
			svc.killPending = in.id
			svc.requested--
			svc.refresh()
			e.emit(Action{Kind: ActKillInstance, Service: svc.id, Instance: in.id,
				Why: "scale down toward " + strconv.Itoa(dec.ScaleTo)})
		}
	}
}

func (e *Engine) scaleTo(svc *service, to int, force bool, why string) {
	svc.requested = to
	svc.scalePending = true
	e.emit(Action{Kind: ActScaleService, Service: svc.id, Instances: to, Force: force, Why: why})
}

// scaleAmountByQuanta limits one scale-up step to the resource quanta:
// max(1, min(amount, quot(cpus quanta, cpus), quot(mem quanta, mem))).
func scaleAmountByQuanta(cpus, mem, quantaCPUs, quantaMem float64, amount int) int {
	n := amount
	if cpus > 0 {
		n = min(n, int(math.Floor(quantaCPUs/cpus)))
	}
	if mem > 0 {
		n = min(n, int(math.Floor(quantaMem/mem)))
	}
	return max(1, n)
}

func (e *Engine) scaleResult(ev Event) {
	svc := e.services[ev.Service]
	if svc == nil {
		return
	}
	svc.scalePending = false
	if ev.Err != nil && svc.observed {
		svc.requested = svc.lastObservedR // the scheduler kept its old count
	}
}

func (e *Engine) killResult(ev Event) {
	svc := e.services[ev.Service]
	if svc == nil {
		return
	}
	operator := svc.killPending != ev.Instance
	if !operator {
		svc.killPending = ""
	}
	in := svc.instances[ev.Instance]
	if ev.Err != nil {
		if !operator {
			svc.requested++ // the kill did not decrement the scheduler's count
		}
		if in != nil {
			in.locked = false
			svc.refresh()
			e.drain(svc)
		}
		return
	}
	if !operator {
		svc.lastKillAt = e.now
	}
	if svc.scheduled > 0 {
		svc.scheduled--
	}
	if in != nil {
		in.killed, in.locked = true, false
		e.eject(svc, in, e.cfg.MaxEjectTime)
		svc.refresh()
	}
}

// staleDue reports whether svc is stale, past its stale deadline and has
// nothing outstanding (Waiter's service->gc-time puts staleness before
// idle-timeout-mins, so even a service that is never idle goes).
func (e *Engine) staleDue(svc *service) bool {
	return !svc.staleAt.IsZero() && svc.outstanding() == 0 && e.now.After(svc.staleAt)
}
