package sim

import (
	"fmt"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/syncer"
	"github.com/waiter-go/waiter/sim/marathon"
	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/scenario"
)

// The simulated router and cluster as functions of a scenario, so that
// another driver (the production router, in the differential test of
// cmd/waiter/internal/router) can run against the very same ones.

// EngineConfig is the engine configuration of a run of sc with seed and
// policy (the scenario's when empty).
func EngineConfig(sc *scenario.Scenario, seed uint64, policy string) engine.Config {
	if policy == "" {
		policy = string(sc.Policy)
	}
	return engine.Config{
		Seed:                    rng.New(seed).Derive("engine").Uint64(),
		ScalingInterval:         sc.Router.ScalingInterval,
		DefaultQueueTimeout:     sc.Router.QueueTimeout,
		DefaultPolicy:           policy,
		DeploymentErrorMinHosts: 1,
	}
}

// SyncerConfig is the router's rules' configuration for sc.
func SyncerConfig(sc *scenario.Scenario) syncer.Config {
	return syncer.Config{PollInterval: sc.Router.PollInterval, FastPollInterval: sc.Router.FastPollInterval}
}

// NewModel returns the cluster of a run of sc with seed; notify, when
// the scenario's scheduler is the shell, receives its notifications.
func NewModel(sc *scenario.Scenario, seed uint64, notify func(appID string)) *marathon.Model {
	var agents []marathon.Agent
	for i := 0; i < sc.Marathon.Agents; i++ {
		agents = append(agents, marathon.Agent{ID: fmt.Sprintf("agent-%d", i), Host: fmt.Sprintf("host-%d", i),
			CPUs: sc.Marathon.AgentCPUs, MemMB: sc.Marathon.AgentMemMB})
	}
	mc := marathon.Config{Agents: agents, LaunchLatency: sc.Marathon.LaunchLatency.Dist,
		BackoffSeconds: sc.Marathon.Backoff.Seconds(), MaxLaunchDelay: sc.Marathon.MaxLaunchDelay}
	switch sc.Scheduler {
	case scenario.SchedulerKubernetes:
		// Kubernetes' cadence: the controller's lag and the pod's start
		// before the container runs; the kubelet's readiness probe at its
		// initial delay, then every health-check interval (Waiter's
		// ReplicaSets set periodSeconds to it); the crash-loop back-off;
		// and the router's watches tell it of every change at once.
		k := sc.Kubernetes
		mc.LaunchLatency, mc.LaunchDelay = k.PodStart.Dist, k.ControllerLag
		mc.BackoffSeconds, mc.MaxLaunchDelay = k.CrashLoopBackoff.Seconds(), k.MaxCrashLoopBackoff
		mc.StartupProbe = func(age, every time.Duration) time.Duration {
			if age == 0 { // the first probe (1 ms: the prober starting)
				return max(k.ReadinessInitialDelay, time.Millisecond)
			}
			return every
		}
		mc.OnChange = notify
	case scenario.SchedulerShell:
		// The shell scheduler's cadence: it probes a starting instance
		// every age/80 (0.25-100 ms) and tells the router of every change.
		mc.StartupProbe = func(age, every time.Duration) time.Duration {
			return engine.StartupProbeInterval(age, engine.DefaultStartupProbeMin, engine.DefaultStartupProbeMax, every)
		}
		mc.OnChange = notify
	}
	return marathon.New(mc, rng.New(seed).Derive("marathon"))
}

// KubernetesAppSpec adjusts the app of a service to what its ReplicaSet
// does: the kubelet's crash-loop back-off doubles, and the liveness
// probe's failure threshold is max-consecutive-failures + 1 (Kubernetes
// counts runs where Marathon counts retries).
func KubernetesAppSpec(spec marathon.AppSpec) marathon.AppSpec {
	spec.BackoffFactor = 2
	if spec.MaxConsecutiveFailures > 0 {
		spec.MaxConsecutiveFailures++
	}
	return spec
}

// AppSpec maps a service description to the Marathon app Waiter creates
// (reference 8.2), with the behaviour the scenario gives the service:
// health checks from the health-check parameters, backoff from
// restart-backoff-factor, grace 2 x instance expiry when 0.
func AppSpec(d *engine.Description, s *scenario.Behaviour, instances int) marathon.AppSpec {
	grace := d.GracePeriod
	if grace == 0 {
		grace = 2 * d.InstanceExpiry
	}
	f := s.Failure
	b := marathon.Behavior{StartupTime: s.Startup.Dist, NeverHealthy: f.NeverHealthy,
		NeverListens: f.NeverListens, HealthCheckStatus: f.HealthCheckStatus}
	if f.BadCommand {
		b.ExitCode = 127
	}
	if s.HealthyAfter != nil {
		b.HealthyAfter = s.HealthyAfter.Dist
	}
	return marathon.AppSpec{ID: d.ID, Instances: instances, CPUs: d.CPUs, MemMB: d.MemMB, Ports: d.Ports,
		HealthCheckInterval: d.HealthCheckInterval, GracePeriod: grace,
		MaxConsecutiveFailures: d.HealthCheckMaxFailures, BackoffFactor: d.RestartBackoffFactor, Behavior: b}
}

// AppObservation maps a Marathon app to the engine's observation into
// obs, reusing its slices (Waiter's marathon adapter: healthy from
// healthCheckResults, failures from the recorded task failures); epoch
// is the model's time zero, and ref gives each running task's driver
// handle (ObservedInstance.Ref).
func AppObservation(a *marathon.App, epoch time.Time, obs *engine.Observation, ref func(*marathon.Task) uint64) {
	*obs = engine.Observation{Exists: true, Requested: a.Instances, Scheduled: len(a.Tasks),
		Instances: obs.Instances[:0], Failed: obs.Failed[:0]}
	for _, t := range a.Tasks {
		if t.State != marathon.TaskRunning {
			continue
		}
		var flags engine.InstanceFlags
		if t.HasConnected {
			flags |= engine.FlagHasConnected
		}
		if t.HasResponded {
			flags |= engine.FlagHasResponded
		}
		port := 0
		if len(t.Ports) > 0 {
			port = t.Ports[0]
		}
		obs.Instances = append(obs.Instances, engine.ObservedInstance{
			ID: t.ID, Host: t.Host, Port: port, StartedAt: epoch.Add(t.StartedAt),
			Healthy: t.HealthChecked && t.Alive, HealthCheckStatus: t.LastStatus, Flags: flags, Ref: ref(t),
		})
	}
	for _, f := range a.Failures {
		var flags engine.InstanceFlags
		if f.HasConnected {
			flags |= engine.FlagHasConnected
		}
		if f.HasResponded {
			flags |= engine.FlagHasResponded
		}
		if f.NeverPassedHealthChecks {
			flags |= engine.FlagNeverPassedHealthChecks
		}
		if f.MemoryLimitExceeded {
			flags |= engine.FlagMemoryLimitExceeded
		}
		obs.Failed = append(obs.Failed, engine.ObservedInstance{ID: f.TaskID, Host: f.Host,
			StartedAt: epoch.Add(f.StartedAt), Flags: flags, ExitCode: f.ExitCode, HasExitCode: f.HasExitCode, Message: f.Message})
	}
}

// SyncerProbes applies the router's own health checks to obs, the
// observation of app a at now, as Waiter's scheduler syncer does and
// adapters/marathon's Observe with it: every running instance Marathon
// does not call healthy yet is probed at once, and a 2xx makes it
// healthy (so a router serves an instance as soon as a poll finds it
// ready, not after Marathon's first check, 5 s after it runs). facts
// keeps what the probes learnt of each task (connected, responded), by
// task id, for its later observations and its failure, as the adapter
// does; the caller prunes it (PruneFacts). madeHealthy, when not nil, is
// told each instance a probe made healthy.
//
// It reports whether obs was settled: nothing to probe and no facts to
// read, so that obs is what the app alone makes of it, whatever the time
// and the facts (Runner.observe keeps such an observation while the app
// does not change).
func SyncerProbes(m *marathon.Model, now time.Duration, a *marathon.App, obs *engine.Observation, facts map[string]engine.InstanceFlags, madeHealthy func(id string)) (settled bool) {
	if a.Spec.HealthCheckInterval <= 0 {
		return true // no health check to aim at
	}
	settled = true
	for i := range obs.Instances {
		in := &obs.Instances[i]
		if in.Flags&probeFlags != probeFlags {
			in.Flags |= facts[in.ID]
			settled = false
		}
		if in.Healthy {
			continue
		}
		settled = false
		t := m.Task(in.ID)
		if t == nil {
			continue
		}
		p := m.Probe(now, t)
		rp := engine.RouterProbe{Healthy: p.Healthy, Status: p.Status}
		if p.Connected {
			rp.Flags = probeFlags
		}
		engine.ApplyRouterProbe(in, rp, facts)
		if in.Healthy && madeHealthy != nil {
			madeHealthy(in.ID)
		}
	}
	for i := range obs.Failed {
		if f := &obs.Failed[i]; f.Flags&probeFlags != probeFlags {
			f.Flags |= facts[f.ID]
			settled = false
		}
	}
	return settled
}

// probeFlags are the only flags SyncerProbes keeps in facts: an instance
// whose observation has both already gains nothing from its facts, and
// the map lookup (by a long task id, every instance of every poll) is
// skipped.
const probeFlags = engine.FlagHasConnected | engine.FlagHasResponded

// PruneFacts forgets the facts of tasks the model no longer runs and no
// app lists among its recent failures.
func PruneFacts(m *marathon.Model, facts map[string]engine.InstanceFlags) {
	gone := false
	for id := range facts {
		if m.Task(id) == nil {
			gone = true
			break
		}
	}
	if !gone {
		return
	}
	keep := map[string]bool{}
	for _, a := range m.Apps() {
		for _, f := range a.Failures {
			keep[f.TaskID] = true
		}
	}
	for id := range facts {
		if !keep[id] && m.Task(id) == nil {
			delete(facts, id)
		}
	}
}
