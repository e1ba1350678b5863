package sim

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/scenario"
	"github.com/waiter-go/waiter/sim/stats"
	"github.com/waiter-go/waiter/sim/strictyaml"
)

// svcState is one Waiter service of the run (one version of one scenario
// service, or one trace app).
//
// The fields a request reads or counts come first and fill the struct's
// first cache line (svcState is 256 bytes, a size class whose objects
// start on a line): with a thousand
// services a service's state is rarely in cache when its request
// arrives, and the fields spread over three lines (the description's
// among them) cost a miss each.
type svcState struct {
	// id is desc.ID (the description never changes during a run), kept
	// here for the line's sake.
	id   string
	desc *engine.Description
	spec *scenario.Behaviour
	// times draws the service's request service times (spec's
	// ServiceTime) from its own stream; nil when it has none (a trace
	// app's requests bring their durations).
	times *rng.Sampler
	// ref is the service's handle in the engine of the router that last
	// took one of its requests (Event.Ref), renewed when not live.
	ref  engine.ServiceRef
	t    Totals // Requests ends the first line
	name string
	// family is the name of the scenario service it is a copy or version
	// of (its own name for a trace app), which faults address.
	family string
	// hist is out of line: a Histogram is 19 KB, and kept inline it put
	// every service's counters on a page of their own (a TLB and cache
	// miss per request with a thousand services).
	hist *stats.Histogram
}

// buildServices creates every service: Count copies, one per version of a
// split, and one per trace app.
func (r *Runner) buildServices(root *rng.Source, policy string) error {
	for i := range r.sc.Services {
		s := &r.sc.Services[i]
		copies := s.Copies()
		for c := 0; c < copies; c++ {
			name := s.CopyName(c)
			family := len(r.svcs)
			versions := []string{""}
			var split *load.Splitter
			if s.Split != nil {
				var err error
				split, err = load.NewSplitter(*s.Split, root.Derive("split/"+name))
				if err != nil {
					return fmt.Errorf("service %s: %w", name, err)
				}
				versions = split.Versions()
			}
			for _, v := range versions {
				vname := name
				if v != "" {
					vname = name + "@" + v
				}
				if err := r.addService(root, &s.Behaviour, s.Name, name, vname, v); err != nil {
					return err
				}
			}
			var proc load.Process = &replayed{at: r.opts.Arrivals[name]}
			if _, replay := r.opts.Arrivals[name]; !replay {
				var err error
				if proc, err = load.Build(*s.Load, root.Derive("load/"+name)); err != nil {
					return fmt.Errorf("service %s: load: %w", name, err)
				}
			}
			r.procs = append(r.procs, procState{proc: proc, family: family, split: split})
			r.procFamily = append(r.procFamily, int32(family))
		}
	}
	if t := r.sc.Trace; t != nil {
		tr, err := load.OpenTrace(t.Replay)
		if err != nil {
			return fmt.Errorf("trace: %w", err)
		}
		r.trace = &traceState{tr: tr, svcBase: len(r.svcs)}
	}
	return nil
}

func (r *Runner) addService(root *rng.Source, s *scenario.Behaviour, family, name, vname, version string) error {
	params := scenario.ServiceParams(s, name, version)
	for k, v := range r.opts.Set {
		params[k] = engine.NormalizeValue(v)
	}
	d, err := engine.NewDescription(params, engine.DescriptionOptions{})
	if err != nil {
		return fmt.Errorf("service %s: %w", vname, err)
	}
	if _, dup := r.byID[d.ID]; dup {
		return fmt.Errorf("service %s: same Waiter parameters as another service (id %s)", vname, d.ID)
	}
	st := &svcState{id: d.ID, name: vname, family: family, desc: d, spec: s, hist: &stats.Histogram{}}
	if s.ServiceTime != nil {
		st.times = rng.NewSampler(s.ServiceTime.Dist, root.Derive("times/"+vname), time.Second)
	}
	st.t.RejectedBy = map[string]int64{}
	r.byID[d.ID] = len(r.svcs)
	r.svcs = append(r.svcs, st)
	r.svcTimes = append(r.svcTimes, st.times)
	r.completed = append(r.completed, 0)
	return nil
}

// checkOverrides refuses an override that names no Waiter parameter: the
// engine would carry it along and change nothing, so a misspelt sweep
// would report identical runs. Another spelling of a parameter gets a hint.
func checkOverrides(set map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if engine.IsServiceParam(k) {
			continue
		}
		if kebab := strictyaml.Kebab(k); engine.IsServiceParam(kebab) {
			return fmt.Errorf("sim: override %q: not a Waiter parameter: use %s", k, kebab)
		}
		return fmt.Errorf("sim: override %q: not a Waiter parameter (docs/scenario.md lists them)", k)
	}
	return nil
}

// traceService returns the service for trace app, creating it on first use.
func (r *Runner) traceService(app int32) int {
	idx := r.trace.svcBase + int(app)
	for len(r.svcs) <= idx {
		a := int32(len(r.svcs) - r.trace.svcBase)
		name := fmt.Sprintf("trace-%s", r.trace.tr.AppName(a))
		if len(name) > 40 {
			name = name[:40]
		}
		if err := r.addService(r.src, &r.sc.Trace.Template, name, name, name, ""); err != nil {
			panic(fmt.Sprintf("sim: trace template became invalid: %v", err)) // validated at load
		}
	}
	return idx
}

// syncCompleted copies the services' completed counts into their totals.
func (r *Runner) syncCompleted() {
	for i, st := range r.svcs {
		st.t.Completed = r.completed[i]
	}
}
