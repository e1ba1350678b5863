package sim

// noteServing counts a cold-started service (Totals.ColdStartServices)
// when an observation of app id gives the engine its first healthy
// instance. The engine learns of healthy instances only from
// observations, so checking after each one sees every such change.
func (r *Runner) noteServing(id string) {
	svc, ok := r.byID[id]
	if !ok {
		return
	}
	st := r.svcs[svc]
	// A service serves when any live router sees a healthy instance of it.
	serving := false
	for _, rt := range r.rts {
		if l, ok := rt.eng.ServiceLoad(id); rt.up && ok && l.Healthy > 0 {
			serving = true
			break
		}
	}
	if serving && !st.serving {
		st.t.ColdStartServices++
	}
	st.serving = serving
}
