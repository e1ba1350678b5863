package sim

import "github.com/waiter-go/waiter/engine"

// noteServing counts a cold-started service (Totals.ColdStartServices)
// when an observation of app id gives the engine its first healthy
// instance. The engine learns of healthy instances only from
// observations, so checking after each one sees every such change.
func (r *Runner) noteServing(id string) {
	if svc, ok := r.byID[id]; ok {
		r.noteServingSvc(svc, id)
	}
}

// noteServingSvc is noteServing for service svc (-1: none) with id.
func (r *Runner) noteServingSvc(svc int, id string) {
	if svc < 0 {
		return
	}
	for len(r.serving) <= svc {
		r.serving = append(r.serving, false)
	}
	// A service serves when any live router sees a healthy instance of it.
	serving := false
	for _, rt := range r.rts {
		var ref engine.ServiceRef
		if svc < len(rt.hints) {
			ref = rt.hints[svc].ServiceRef()
		}
		if l, ok := rt.eng.ServiceLoadRef(ref, id); rt.up && ok && l.Healthy > 0 {
			serving = true
			break
		}
	}
	if serving && !r.serving[svc] {
		r.svcs[svc].t.ColdStartServices++
	}
	r.serving[svc] = serving
}
