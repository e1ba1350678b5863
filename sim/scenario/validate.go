package scenario

import (
	"errors"
	"maps"
	"slices"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/strictyaml"
)

// validate checks what decoding cannot: rules between fields, names that
// must exist, and Waiter's own rules for the service parameters. Every
// problem is a *strictyaml.Error at the field's path under root.
func validate(sc *Scenario, root strictyaml.Node) error {
	fail := func(path, format string, args ...any) error {
		return root.ErrorAt(path, format, args...)
	}
	if sc.Duration <= 0 {
		return fail("duration", "must be more than 0, such as 30m; got %v", sc.Duration)
	}
	for _, d := range []struct {
		key string
		v   int64
	}{
		{"router.poll-interval", int64(sc.Router.PollInterval)},
		{"router.fast-poll-interval", int64(sc.Router.FastPollInterval)},
		{"router.scaling-interval", int64(sc.Router.ScalingInterval)},
		{"router.queue-timeout", int64(sc.Router.QueueTimeout)},
		{"marathon.backoff", int64(sc.Marathon.Backoff)},
		{"marathon.max-launch-delay", int64(sc.Marathon.MaxLaunchDelay)},
		{"kubernetes.crash-loop-backoff", int64(sc.Kubernetes.CrashLoopBackoff)},
		{"kubernetes.max-crash-loop-backoff", int64(sc.Kubernetes.MaxCrashLoopBackoff)},
	} {
		if d.v <= 0 {
			return fail(d.key, "must be more than 0")
		}
	}
	if sc.Routers < 1 || sc.Routers > MaxRouters {
		return fail("routers", "must be from 1 to %d, got %d", MaxRouters, sc.Routers)
	}
	for _, d := range []struct {
		key string
		v   int64
	}{
		{"cluster.metrics-sync-interval", int64(sc.Cluster.MetricsSyncInterval)},
		{"cluster.peer-counters-ttl", int64(sc.Cluster.PeerCountersTTL)},
		{"cluster.session-timeout", int64(sc.Cluster.SessionTimeout)},
		{"cluster.clients", int64(sc.Cluster.Clients)},
	} {
		if d.v <= 0 {
			return fail(d.key, "must be more than 0")
		}
	}
	if sc.Cluster.Lag < 0 {
		return fail("cluster.lag", "must not be negative")
	}
	if sc.Router.APILatency < 0 {
		return fail("router.api-latency", "must not be negative")
	}
	if sc.Kubernetes.ControllerLag < 0 {
		return fail("kubernetes.controller-lag", "must not be negative")
	}
	if sc.Kubernetes.ReadinessInitialDelay < 0 {
		return fail("kubernetes.readiness-initial-delay", "must not be negative")
	}
	m := &sc.Marathon
	switch {
	case m.Agents <= 0:
		return fail("marathon.agents", "must be more than 0")
	case m.AgentCPUs <= 0:
		return fail("marathon.agent-cpus", "must be more than 0")
	case m.AgentMemMB <= 0:
		return fail("marathon.agent-mem", "must be more than 0")
	}
	if len(sc.Services) == 0 && sc.Trace == nil {
		return fail("services", "a scenario needs services, a trace, or both")
	}
	names := map[string]bool{}
	for i := range sc.Services {
		s := &sc.Services[i]
		at := strictyaml.JoinIndex("services", i)
		if s.Name == "" {
			return fail(at+".name", "must not be empty")
		}
		if names[s.Name] {
			return fail(at+".name", "%q names another service too", s.Name)
		}
		names[s.Name] = true
		if s.Count < 0 {
			return fail(at+".count", "must not be negative")
		}
		if err := checkBehaviour(root, at, &s.Behaviour); err != nil {
			return err
		}
	}
	if sc.Trace != nil {
		if err := checkBehaviour(root, "trace.template", &sc.Trace.Template); err != nil {
			return err
		}
	}
	for i := range sc.Faults {
		if err := checkFault(root, i, &sc.Faults[i], names, sc.Routers); err != nil {
			return err
		}
	}
	for i := range sc.Assertions {
		a := &sc.Assertions[i]
		at := strictyaml.JoinIndex("assertions", i)
		a.line = root.Locate(at).FieldLine()
		if a.Max == nil && a.Min == nil {
			return fail(at, "needs max, min or both")
		}
		if a.Service != "" && !names[a.Service] {
			return fail(at+".service", "names no service of this scenario: %q", a.Service)
		}
	}
	if f := sc.Fidelity; f.SampleEvery <= 0 || f.Instances < 0 || f.Share < 0 || f.Share > 1 || f.Latency < 0 || f.ColdStarts < 0 {
		return fail("fidelity", "sample-every must be more than 0, share between 0 and 1, the others not negative")
	}
	if sc.Report.Interval < 0 {
		return fail("report.interval", "must not be negative")
	}
	return nil
}

func checkFault(root strictyaml.Node, i int, f *Fault, services map[string]bool, routers int) error {
	at := strictyaml.JoinIndex("faults", i)
	f.line = root.Locate(at).FieldLine()
	switch f.Kind {
	case FaultRouterCrash, FaultRouterPartition, FaultLeaderLoss:
		if routers < 2 {
			return root.ErrorAt(at+".kind", "%s needs routers: 2 or more", f.Kind)
		}
		if f.Kind != FaultLeaderLoss {
			if _, ok := RouterIndex(f.Router, routers); !ok && f.Router != "leader" {
				return root.ErrorAt(at+".router", "must be leader or router-1 .. router-%d, got %q", routers, f.Router)
			}
		}
		if f.Kind == FaultRouterPartition && f.Duration <= 0 {
			return root.ErrorAt(at+".duration", "%s needs a duration more than 0", f.Kind)
		}
		if f.Duration < 0 {
			return root.ErrorAt(at+".duration", "must not be negative")
		}
	case FaultMarathonOutage, FaultSlowLaunch:
		if f.Duration <= 0 {
			return root.ErrorAt(at+".duration", "%s needs a duration more than 0", f.Kind)
		}
		if f.Kind == FaultSlowLaunch && f.Factor <= 0 {
			return root.ErrorAt(at+".factor", "slow-launch needs a factor more than 0")
		}
	case FaultAgentLoss, FaultCrash, FaultOperatorKill:
		if f.Count <= 0 {
			return root.ErrorAt(at+".count", "%s needs a count more than 0", f.Kind)
		}
		if f.Kind != FaultAgentLoss && !services[f.Service] {
			return root.ErrorAt(at+".service", "names no service of this scenario: %q", f.Service)
		}
	}
	if f.Start < 0 {
		return root.ErrorAt(at+".start", "must not be negative")
	}
	return nil
}

// checkBehaviour checks a service's (or the trace template's) Waiter
// parameters: known names, and a valid service description.
func checkBehaviour(root strictyaml.Node, at string, b *Behaviour) error {
	for _, k := range slices.Sorted(maps.Keys(b.Params)) {
		if engine.IsServiceParam(k) {
			continue
		}
		if kebab := strictyaml.Kebab(k); engine.IsServiceParam(kebab) {
			return root.ErrorAt(at+".params."+k, "not a Waiter parameter: use %s", kebab)
		}
		return root.ErrorAt(at+".params."+k, "not a Waiter parameter (the reference, docs/scenario.md, lists them)")
	}
	_, err := engine.NewDescription(ServiceParams(b, "check", ""), engine.DescriptionOptions{})
	var ve *engine.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return root.ErrorAt(at+".params."+ve.Fields[0].Field, "%s", ve.Fields[0].Message)
	}
	if err != nil {
		return root.ErrorAt(at+".params", "%v", err)
	}
	return nil
}

// ServiceParams returns b's Waiter parameters with the simulator's
// defaults for the required ones, named name and at version (if given).
func ServiceParams(b *Behaviour, name, version string) engine.Params {
	p := engine.NormalizeParams(b.Params)
	for k, v := range map[string]any{"cmd": "simulated", "cpus": 1.0, "mem": 512.0, "version": "v1"} {
		if _, ok := p[k]; !ok {
			p[k] = v
		}
	}
	p["name"] = name
	if version != "" {
		p["version"] = version
	}
	return p
}
