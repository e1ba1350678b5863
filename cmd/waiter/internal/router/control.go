package router

import (
	"context"
	"fmt"
	"sort"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/engine"
)

// Start makes the engine create a service without leaving a request
// queued: an internal request arrives (creating the service) and is
// canceled at once. The engine has no "ensure service" event; see the
// report for the proposed EvStartService.
func (d *Driver) Start(desc *engine.Description) {
	if desc == nil {
		return
	}
	d.do(func() {
		id := engine.RequestID(d.nextID.Add(1))
		d.arrive(id, waiterhttp.Admission{Description: desc}, nil, true)
		d.cancel(id)
	})
}

// DeleteService removes a service the engine knows (EvDeleteService).
func (d *Driver) DeleteService(id string) bool {
	found := false
	d.call(func() {
		if d.services[id] == nil {
			return
		}
		found = true
		d.step(engine.Event{Kind: engine.EvDeleteService, Service: id})
	})
	return found
}

// Suspend refuses (EvSuspend) or accepts again (EvResume) requests.
func (d *Driver) Suspend(id string, suspended bool) {
	d.call(func() {
		if m := d.services[id]; m != nil {
			m.suspended = suspended
		}
		kind := engine.EvResume
		if suspended {
			kind = engine.EvSuspend
		}
		d.step(engine.Event{Kind: kind, Service: id})
	})
}

// Override gives a known service a new description with the same id.
func (d *Driver) Override(desc *engine.Description) {
	if desc == nil {
		return
	}
	d.call(func() {
		m := d.services[desc.ID]
		if m == nil {
			return // the next request brings the overridden description
		}
		m.desc = desc
		d.step(engine.Event{Kind: engine.EvOverride, Service: desc.ID, Description: desc})
	})
}

// KillInstance asks the scheduler to stop one instance (an operator's
// POST /apps/{id}/instance/{iid}/kill). The engine learns of it from the
// next observation: it has no operator-kill event (see the report).
func (d *Driver) KillInstance(ctx context.Context, serviceID, instanceID string) error {
	var known bool
	if !d.call(func() {
		m := d.services[serviceID]
		known = m != nil && m.instances[instanceID] != nil
	}) {
		return ErrStopped
	}
	if !known {
		return fmt.Errorf("router: kill %s of %s: %w", instanceID, serviceID, waiterhttp.ErrInstanceNotFound)
	}
	result := make(chan error, 1)
	d.submit(serviceID, "operator-kill", func(callCtx context.Context) error {
		return d.sched.KillInstance(callCtx, serviceID, instanceID)
	}, func(err error) {
		if err == nil {
			if m := d.services[serviceID]; m != nil {
				m.rememberKilled(instanceID)
			}
		}
		result <- err
	})
	select {
	case err := <-result:
		if err != nil {
			return fmt.Errorf("router: kill %s of %s: %w", instanceID, serviceID, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-d.quit:
		return ErrStopped
	}
}

// Services returns a snapshot of every service, sorted by id.
func (d *Driver) Services() []waiterhttp.ServiceSnapshot {
	var out []waiterhttp.ServiceSnapshot
	d.call(func() {
		now, interval := d.clk.Now(), d.eng.Config().ScalingInterval
		out = make([]waiterhttp.ServiceSnapshot, 0, len(d.services))
		for _, m := range d.services {
			out = append(out, m.snapshot(now, interval))
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Service returns a snapshot of one service.
func (d *Driver) Service(id string) (waiterhttp.ServiceSnapshot, bool) {
	var snap waiterhttp.ServiceSnapshot
	var ok bool
	d.call(func() {
		if m := d.services[id]; m != nil {
			snap, ok = m.snapshot(d.clk.Now(), d.eng.Config().ScalingInterval), true
		}
	})
	return snap, ok
}

// State is the driver's own view for GET /state.
func (d *Driver) State() any {
	state := map[string]any{}
	d.call(func() {
		waiting, inflight := 0, 0
		for _, m := range d.services {
			waiting += m.waiting
			inflight += m.inflight
		}
		tombs := make([]string, 0, len(d.tombstones))
		for id := range d.tombstones {
			tombs = append(tombs, id)
		}
		sort.Strings(tombs)
		state["services"] = len(d.services)
		state["waiting-requests"] = waiting
		state["in-flight-requests"] = inflight
		state["next-wake-in-ms"] = d.wakeIn().Milliseconds()
		state["scheduler-calls-pending"] = d.ops.pending()
		state["deleting-services"] = tombs
		state["poll-interval-ms"] = d.cfg.PollInterval.Milliseconds()
		state["fast-polling"] = d.urgent.Load()
		state["last-poll"] = d.lastPoll
		if d.pollErr != "" {
			state["last-poll-error"] = d.pollErr
		}
	})
	return state
}

var _ waiterhttp.Router = (*Driver)(nil)
