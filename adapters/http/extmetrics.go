package waiterhttp

import (
	"sync"
	"time"

	"github.com/waiter-go/waiter"
)

// External metrics (Waiter's /metrics/external, metrics_sync.clj): a
// component that sees requests the router does not (a sidecar, a load
// balancer in front of the instances) posts, per service and instance,
//
//	{"updated-at": ISO-8601, "metrics": {"active-request-count": n, "last-request-time": ISO-8601, ...}}
//
// The router keeps, per instance, the metric with the latest updated-at
// (merge-instance-id->metric-maps; Waiter compares the strings, we
// compare the times they name), only for services and instances it runs
// (clean-service-id->instance-id->metric, which also bounds the memory),
// shows them on /state/router-metrics, and takes the latest
// last-request-time as activity of the service (Waiter maxes it into the
// service's last-request-time, which its GC reads).
type extMetrics struct {
	mu      sync.Mutex
	byID    map[string]map[string]extMetric // service id -> instance id -> metric
	updated time.Time                       // last merge
}

type extMetric struct {
	updatedAt time.Time
	raw       map[string]any // as posted
	lastReq   time.Time
}

// merge folds incoming metrics in, keeping only what running reports the
// router runs, and returns each service's latest last-request-time.
func (x *extMetrics) merge(incoming map[string]map[string]extMetric, running func(id string) (waiter.ServiceSnapshot, bool), now time.Time) map[string]time.Time {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byID == nil {
		x.byID = map[string]map[string]extMetric{}
	}
	for sid, insts := range incoming {
		cur := x.byID[sid]
		if cur == nil {
			cur = map[string]extMetric{}
			x.byID[sid] = cur
		}
		for iid, m := range insts {
			if old, ok := cur[iid]; !ok || m.updatedAt.After(old.updatedAt) {
				cur[iid] = m
			}
		}
	}
	latest := map[string]time.Time{}
	for sid, insts := range x.byID {
		snap, ok := running(sid)
		if !ok {
			delete(x.byID, sid)
			continue
		}
		live := map[string]bool{}
		for _, in := range snap.Instances {
			live[in.ID] = true
		}
		for iid, m := range insts {
			if !live[iid] {
				delete(insts, iid)
				continue
			}
			if m.lastReq.After(latest[sid]) {
				latest[sid] = m.lastReq
			}
		}
		if len(insts) == 0 {
			delete(x.byID, sid)
		}
	}
	x.updated = now
	return latest
}

// view is the kept metrics as Waiter's router-metrics state shows them.
func (x *extMetrics) view() (map[string]map[string]any, time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string]map[string]any, len(x.byID))
	for sid, insts := range x.byID {
		m := make(map[string]any, len(insts))
		for iid, e := range insts {
			m[iid] = e.raw
		}
		out[sid] = m
	}
	return out, x.updated
}
