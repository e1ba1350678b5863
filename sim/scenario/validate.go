package scenario

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/rng"
	"go.yaml.in/yaml/v3"
)

// validate checks sc's semantics, fills defaults, and reports the first
// problem with its line.
func validate(file string, sc *Scenario, root *yaml.Node) error {
	fail := func(msg string, path ...any) error {
		field := ""
		for i, p := range path {
			switch k := p.(type) {
			case string:
				if i > 0 {
					field += "."
				}
				field += k
			case int:
				field += fmt.Sprintf("[%d]", k)
			}
		}
		return &Error{File: file, Line: locate(root, path...), Field: field, Msg: msg}
	}
	if sc.Duration <= 0 {
		return fail("must be a positive duration such as 30m", "duration")
	}
	if sc.Policy == "" {
		sc.Policy = engine.WaiterPolicyName
	}
	if !slices.Contains([]string{engine.WaiterPolicyName, engine.KnativePolicyName}, sc.Policy) {
		return fail("unknown policy "+quote(sc.Policy)+" (known: waiter, knative)", "policy")
	}
	r := &sc.Router
	setD(&r.PollInterval, 5*time.Second)
	setD(&r.APILatency, 50*time.Millisecond)
	setD(&r.ScalingInterval, time.Second)
	setD(&r.QueueTimeout, 300*time.Second)
	if r.PollInterval < 0 || r.APILatency < 0 || r.ScalingInterval < 0 || r.QueueTimeout < 0 {
		return fail("durations must not be negative", "router")
	}
	m := &sc.Marathon
	if m.Agents == 0 {
		m.Agents = 10
	}
	if m.AgentCPUs == 0 {
		m.AgentCPUs = 32
	}
	if m.AgentMemMB == 0 {
		m.AgentMemMB = 131072
	}
	// Written as !(x > 0) so that NaN, which fails every comparison, is
	// refused too.
	if m.Agents < 0 || !(m.AgentCPUs > 0) || !(m.AgentMemMB > 0) || !finite(m.AgentCPUs) || !finite(m.AgentMemMB) {
		return fail("agents, agent-cpus and agent-mem must be positive finite numbers", "marathon")
	}
	if !finite(m.BackoffSeconds) {
		return fail("must be a finite number of seconds", "marathon", "backoff-seconds")
	}
	if m.LaunchLatency == nil {
		m.LaunchLatency = &rng.Dist{Kind: rng.LogNormal, Median: 2, Sigma: 0.3}
	}
	if err := m.LaunchLatency.Validate(); err != nil {
		return fail(err.Error(), "marathon", "launch-latency")
	}
	if len(sc.Services) == 0 && sc.Trace == nil {
		return fail("a scenario needs services or a trace", "services")
	}
	names := map[string]bool{}
	for i := range sc.Services {
		s := &sc.Services[i]
		if s.Name == "" {
			return fail("every service needs a name", "services", i)
		}
		if names[s.Name] {
			return fail("duplicate service name "+quote(s.Name), "services", i, "name")
		}
		names[s.Name] = true
		if s.Load == nil {
			return fail("service "+quote(s.Name)+" needs a load", "services", i)
		}
		if err := checkService(s); err != nil {
			return fail(err.Error(), "services", i)
		}
		if s.Split != nil {
			if err := s.Split.Validate(); err != nil {
				return fail(err.Error(), "services", i, "split")
			}
		}
	}
	if sc.Trace != nil {
		if err := sc.Trace.Replay.Validate(); err != nil {
			return fail(err.Error(), "trace")
		}
		if err := checkService(&sc.Trace.Template); err != nil {
			return fail(err.Error(), "trace", "template")
		}
	}
	for i := range sc.Faults {
		f := &sc.Faults[i]
		f.line = locate(root, "faults", i)
		switch f.Kind {
		case FaultMarathonOutage, FaultSlowLaunch:
			if f.Duration <= 0 {
				return fail("needs a positive duration", "faults", i, "duration")
			}
			if f.Kind == FaultSlowLaunch && (!(f.Factor > 0) || !finite(f.Factor)) {
				return fail("needs a positive finite factor", "faults", i, "factor")
			}
		case FaultAgentLoss, FaultCrash:
			if f.Count <= 0 {
				return fail("needs a positive count", "faults", i, "count")
			}
			if f.Kind == FaultCrash && !names[f.Service] {
				return fail("names unknown service "+quote(f.Service), "faults", i, "service")
			}
		default:
			return fail("unknown fault kind "+quote(string(f.Kind))+" (known: marathon-outage, slow-launch, agent-loss, crash)", "faults", i, "kind")
		}
		if f.Start < 0 {
			return fail("must not be negative", "faults", i, "start")
		}
	}
	for i := range sc.Assertions {
		a := &sc.Assertions[i]
		a.line = locate(root, "assertions", i)
		if !slices.Contains(Metrics, a.Metric) {
			return fail("unknown metric "+quote(a.Metric)+" (known: "+strings.Join(Metrics, ", ")+")", "assertions", i, "metric")
		}
		if a.Max == nil && a.Min == nil {
			return fail("needs max or min", "assertions", i)
		}
		if (a.Max != nil && !finite(*a.Max)) || (a.Min != nil && !finite(*a.Min)) {
			return fail("max and min must be finite numbers", "assertions", i)
		}
		if a.Service != "" && !names[a.Service] {
			return fail("names unknown service "+quote(a.Service), "assertions", i, "service")
		}
	}
	if sc.Report.Interval < 0 {
		return fail("must not be negative", "report", "interval")
	}
	return nil
}

func checkService(s *Service) error {
	if s.Count < 0 {
		return fmt.Errorf("count must not be negative")
	}
	if s.Startup == nil {
		s.Startup = &rng.Dist{Kind: rng.Constant, Value: 2}
	}
	if s.ServiceTime == nil {
		s.ServiceTime = &rng.Dist{Kind: rng.Constant, Value: 0.05}
	}
	if err := s.Startup.Validate(); err != nil {
		return fmt.Errorf("startup: %w", err)
	}
	if err := s.ServiceTime.Validate(); err != nil {
		return fmt.Errorf("service-time: %w", err)
	}
	if s.HealthyAfter != nil {
		if err := s.HealthyAfter.Validate(); err != nil {
			return fmt.Errorf("healthy-after: %w", err)
		}
	}
	// The Waiter parameters must make a valid service description.
	if _, err := engine.NewDescription(ServiceParams(s, "check", ""), engine.DescriptionOptions{}); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	return nil
}

// ServiceParams returns s's Waiter parameters with the simulator's
// defaults for the required ones, named name and at version (if given).
func ServiceParams(s *Service, name, version string) engine.Params {
	p := engine.NormalizeParams(s.Params)
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

// finite reports whether f is neither NaN nor infinite (YAML spells them
// .nan and .inf).
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func setD(d *time.Duration, v time.Duration) {
	if *d == 0 {
		*d = v
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
