package sim

import (
	"fmt"

	"github.com/waiter-go/waiter/sim/scenario"
)

func (r *Runner) faultStart(i int) {
	f := r.sc.Faults[i]
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
	case scenario.FaultOperatorKill:
		r.operatorKills(f)
	case scenario.FaultRouterCrash, scenario.FaultRouterPartition, scenario.FaultLeaderLoss:
		r.routerFaultStart(i, f)
	default:
		panic(fmt.Sprintf("sim: unknown fault %q", f.Kind)) // validated at load
	}
}

func (r *Runner) faultEnd(i int) {
	f := r.sc.Faults[i]
	switch f.Kind {
	case scenario.FaultRouterCrash, scenario.FaultRouterPartition:
		r.routerFaultEnd(i, f)
	case scenario.FaultMarathonOutage:
		r.down = false
	case scenario.FaultSlowLaunch:
		r.slow = 1
		r.model.SetLaunchFactor(1)
	}
}

// operatorKills kills f.Count instances of f.Service as an operator would,
// through the router: the syncer's OperatorKill, the oldest instances the
// router knows first. A refused kill (already being killed) counts too.
func (r *Runner) operatorKills(f scenario.Fault) {
	killed := 0
	for _, st := range r.svcs {
		if st.family != f.Service && st.name != f.Service {
			continue
		}
		rt := r.lead()
		snap, ok := rt.eng.Service(st.desc.ID)
		if !ok {
			continue
		}
		for _, in := range snap.Instances {
			if killed == f.Count {
				return
			}
			acts, _ := rt.sync.OperatorKill(r.at(), st.desc.ID, in.ID, false)
			r.applyOn(rt, acts)
			killed++
		}
	}
}
