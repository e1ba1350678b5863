package sim

import (
	"fmt"

	"github.com/waiter-go/waiter/sim/scenario"
)

func (r *Runner) faultStart(f scenario.Fault) {
	switch f.Kind {
	case scenario.FaultMarathonOutage:
		r.down = true
	case scenario.FaultSlowLaunch:
		r.slow = f.Factor
		r.model.SetLaunchFactor(f.Factor)
	case scenario.FaultAgentLoss:
		lost := 0
		for _, ag := range r.model.Agents() {
			if lost == f.Count {
				break
			}
			if !ag.Lost() {
				r.model.LoseAgent(r.now, ag.ID)
				lost++
			}
		}
	case scenario.FaultCrash:
		crashed := 0
		for _, st := range r.svcs {
			if st.family != f.Service && st.name != f.Service {
				continue
			}
			a := r.model.App(st.desc.ID)
			if a == nil {
				continue
			}
			ids := make([]string, 0, len(a.Tasks))
			for _, t := range a.Tasks {
				ids = append(ids, t.ID)
			}
			for _, id := range ids {
				if crashed == f.Count {
					return
				}
				if ts := r.tasks[id]; ts != nil {
					r.crashes = append(r.crashes, ts)
					r.crashTask(engineRef(len(r.crashes) - 1))
				} else {
					_ = r.model.FailTask(r.now, id, failureCrash())
				}
				crashed++
			}
		}
	default:
		panic(fmt.Sprintf("sim: unknown fault %q", f.Kind)) // validated at load
	}
}

func (r *Runner) faultEnd(f scenario.Fault) {
	switch f.Kind {
	case scenario.FaultMarathonOutage:
		r.down = false
	case scenario.FaultSlowLaunch:
		r.slow = 1
		r.model.SetLaunchFactor(1)
	}
}
