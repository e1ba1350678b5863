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
	l, ok := r.eng.ServiceLoad(id)
	serving := ok && l.Healthy > 0
	if serving && !st.serving {
		st.t.ColdStartServices++
	}
	st.serving = serving
}
