package sim

import (
	"reflect"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/marathon"
)

// keptObservation is a router's last observation of one service's app
// (Runner.observe), kept while the app's revision stays rev and the
// observation is settled (makeObservation).
type keptObservation struct {
	rev     uint64
	settled bool
	obs     engine.Observation
}

// checkKeptObservation verifies, under CheckInvariants, that the kept
// observation of app a is the one a poll would make now: a change of
// the model's that did not move the app's revision would show here.
func (r *Runner) checkKeptObservation(rt *routerState, a *marathon.App, svc int, kept *engine.Observation) {
	var fresh engine.Observation
	r.makeObservation(rt, a, svc, &fresh)
	if !reflect.DeepEqual(normalObservation(fresh), normalObservation(*kept)) {
		r.violate("router %s kept an observation of %s that is no longer what a poll makes of it (revision %d):\nkept %+v\nnow  %+v",
			rt.id, a.Spec.ID, a.Rev(), *kept, fresh)
	}
}

// normalObservation is o with empty lists as nil, which DeepEqual tells
// apart and nothing reads differently.
func normalObservation(o engine.Observation) engine.Observation {
	if len(o.Instances) == 0 {
		o.Instances = nil
	}
	if len(o.Failed) == 0 {
		o.Failed = nil
	}
	return o
}
