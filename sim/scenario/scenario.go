package scenario

import (
	"fmt"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/rng"
)

// The tags on these types are the format: yaml names the key, doc says
// what it means, default is applied when the key is absent (and must
// decode), computed describes a default worked out in code, unit names
// the unit of a plain number, required marks what must be written, and
// old lists former spellings that are refused with a hint. The reference
// (docs/scenario.md, `waiter-sim docs scenario`) is generated from them.

// Scenario is one simulator input file.
type Scenario struct {
	Name        string        `yaml:"name" required:"true" doc:"names the scenario; waiter-sim run writes its reports to reports/<name>/"`
	Description string        `yaml:"description" doc:"what the scenario shows; copied into the report"`
	Seed        uint64        `yaml:"seed" doc:"seeds every random stream: the same seed gives the same report, byte for byte"`
	Duration    time.Duration `yaml:"duration" required:"true" doc:"how much simulated time to run; more than 0"`
	Policy      Policy        `yaml:"policy" default:"waiter" doc:"the scaling policy of every service whose scaling-policy parameter does not choose one"`
	Scheduler   Scheduler     `yaml:"scheduler" default:"marathon" doc:"what runs the services, on the same simulated cluster: marathon, whose health checks the router learns of by polling (checking an instance Marathon does not call healthy yet itself at each poll, as Waiter does), shell (local processes), which probes a starting instance every age/80 (0.25 to 100 ms) and tells the router at once, or kubernetes (ReplicaSets: the controller's lag, pod start, the kubelet's readiness probe every health-check interval; the router's watches tell it at once)"`
	Router      Router        `yaml:"router" doc:"the router's lag: how it learns instance state and how often it decides"`
	Routers     int           `yaml:"routers" default:"1" unit:"count" doc:"how many routers share the services, each running the same engine over the slots the HRW distribution gives it (reference 4.3); with more than 1, a front balancer spreads requests over them and cluster says how they cooperate"`
	Cluster     Cluster       `yaml:"cluster" doc:"how the routers of a cluster (routers more than 1) are reached and cooperate"`
	Marathon    Marathon      `yaml:"marathon" doc:"the simulated Mesos cluster and Marathon"`
	Kubernetes  Kubernetes    `yaml:"kubernetes" doc:"Kubernetes' cadence, with scheduler: kubernetes (its nodes are marathon's agents)"`
	Services    []Service     `yaml:"services" doc:"the services and their load; a scenario needs services, a trace, or both"`
	Trace       *Trace        `yaml:"trace" doc:"replays an invocation trace: every app in it becomes a service"`
	Faults      []Fault       `yaml:"faults" doc:"failures injected at given times"`
	Assertions  []Assertion   `yaml:"assertions" doc:"bounds the run must meet; waiter-sim run exits 1 when one fails"`
	Fast        bool          `yaml:"fast" doc:"marks a scenario that make test runs and make reports regenerates (the rest run under make bench)"`
	Report      Report        `yaml:"report" doc:"tunes the report"`
	Fidelity    Fidelity      `yaml:"fidelity" doc:"how closely a real run (waiter-sim fidelity) and the simulation must agree"`
}

// Fidelity are the tolerances of waiter-sim fidelity: the simulation of
// a scenario against real runs of it through waiter serve and kitchen.
type Fidelity struct {
	SampleEvery time.Duration `yaml:"sample-every" default:"5s" doc:"the instance curves are compared at samples this far apart"`
	Instances   int           `yaml:"instances" default:"1" unit:"count" doc:"a sample agrees when the simulated requested and healthy instances are within this many of the real ones"`
	Share       float64       `yaml:"share" default:"0.9" unit:"fraction" doc:"the share of samples that must agree"`
	Latency     float64       `yaml:"latency" default:"0.15" unit:"fraction" doc:"p50 and p99 latency must be within this fraction of the real ones"`
	ColdStarts  int           `yaml:"cold-starts" default:"1" unit:"count" doc:"cold-start requests and cold-started services must be within this many of the real ones"`
}

// Scheduler names the scheduler a scenario runs on.
type Scheduler string

// The schedulers a scenario can pick.
const (
	SchedulerMarathon Scheduler = "marathon"
	SchedulerShell    Scheduler = "shell"
	// SchedulerKubernetes runs services as ReplicaSets (adapters/kubernetes).
	SchedulerKubernetes Scheduler = "kubernetes"
)

// EnumValues lists the schedulers.
func (Scheduler) EnumValues() []string {
	return []string{string(SchedulerMarathon), string(SchedulerShell), string(SchedulerKubernetes)}
}

// Policy names a scaling policy.
type Policy string

// EnumValues lists the policies the engine has.
func (Policy) EnumValues() []string {
	return engine.PolicyNames()
}

// Router models the lag of a real router: it learns instance state by
// polling the scheduler when engine/syncer says (every poll interval,
// every fast-poll interval while requests wait, at once after a
// scheduler call), and the scheduler's API answers after a latency.
type Router struct {
	PollInterval     time.Duration `yaml:"poll-interval" default:"5s" doc:"how often the router asks the scheduler for instance state while no request waits (Waiter's scheduler syncer); an instance serves only after the router has seen it healthy"`
	FastPollInterval time.Duration `yaml:"fast-poll-interval" default:"200ms" doc:"how often the router polls while any request waits for an instance (waiter serve's default); it also polls at once after every scheduler call"`
	APILatency       time.Duration `yaml:"api-latency" default:"50ms" doc:"how long Marathon's API takes to answer a call"`
	ScalingInterval  time.Duration `yaml:"scaling-interval" default:"1s" doc:"how often the router runs its scaling policy"`
	QueueTimeout     time.Duration `yaml:"queue-timeout" default:"5m" doc:"how long a request may wait for an instance before it is refused with 503"`
}

// Balancer names the front balancer's policy.
type Balancer string

// The front balancer's policies.
const (
	BalancerRoundRobin Balancer = "round-robin"
	BalancerRandom     Balancer = "random"
	BalancerLeastConns Balancer = "least-connections"
	BalancerSticky     Balancer = "sticky"
)

// EnumValues lists the balancer policies.
func (Balancer) EnumValues() []string {
	return []string{string(BalancerRoundRobin), string(BalancerRandom), string(BalancerLeastConns), string(BalancerSticky)}
}

// WorkStealing says which services lend idle slots between routers.
type WorkStealing string

// The work-stealing settings.
const (
	// StealSimple: services with distribution-scheme simple only
	// (Waiter's :supported-distribution-schemes default).
	StealSimple WorkStealing = "simple"
	// StealAll: balanced services too.
	StealAll WorkStealing = "all"
	// StealOff: no work stealing.
	StealOff WorkStealing = "off"
)

// EnumValues lists the work-stealing settings.
func (WorkStealing) EnumValues() []string {
	return []string{string(StealSimple), string(StealAll), string(StealOff)}
}

// Schemes are the distribution schemes whose services steal work.
func (w WorkStealing) Schemes() []string {
	switch w {
	case StealAll:
		return []string{engine.SchemeBalanced, engine.SchemeSimple}
	case StealOff:
		return []string{}
	}
	return []string{engine.SchemeSimple}
}

// Cluster models a cluster of routers: the balancer in front of them,
// their coordinator (ZooKeeper: membership and the leader) and the
// messages between them.
type Cluster struct {
	Balancer            Balancer      `yaml:"balancer" default:"round-robin" doc:"how the front balancer picks a live router for each request: round-robin, random, least-connections (fewest open requests) or sticky (by client: each request comes from one of clients clients, and a client keeps its router while it lives)"`
	Clients             int           `yaml:"clients" default:"100" unit:"count" doc:"how many clients send the requests, for the sticky balancer"`
	MetricsSyncInterval time.Duration `yaml:"metrics-sync-interval" default:"50ms" doc:"how often each router publishes its per-service counters to its peers (metrics-sync-interval-ms)"`
	Lag                 time.Duration `yaml:"lag" default:"2ms" doc:"one-way latency of every message between routers: counters, ejects, kill delegation, work-stealing offers and releases"`
	PeerCountersTTL     time.Duration `yaml:"peer-counters-ttl" default:"2s" doc:"a peer's counters older than this no longer count (inter-router-metrics-idle-timeout-ms)"`
	SessionTimeout      time.Duration `yaml:"session-timeout" default:"10s" doc:"how long the coordinator takes to notice a crashed router: until then it stays a member (and the leader, if it led)"`
	WorkStealing        WorkStealing  `yaml:"work-stealing" default:"simple" doc:"which services lend idle slots to routers that need help: simple (distribution-scheme simple only, Waiter's default), all, or off"`
}

// Marathon describes the simulated Mesos cluster and Marathon.
type Marathon struct {
	Agents         int               `yaml:"agents" default:"10" unit:"count" doc:"the Mesos agents that run tasks"`
	AgentCPUs      float64           `yaml:"agent-cpus" default:"32" unit:"cores" doc:"the CPUs of each agent"`
	AgentMemMB     float64           `yaml:"agent-mem" default:"131072" unit:"MiB" doc:"the memory of each agent"`
	LaunchLatency  *rng.DurationDist `yaml:"launch-latency" default:"{kind: lognormal, median: 2s, sigma: 0.3}" doc:"time from a task's staging to its running"`
	Backoff        time.Duration     `yaml:"backoff" default:"1s" old:"backoff-seconds" doc:"Marathon's launch backoff after a task fails; it grows by the service's restart-backoff-factor with each further failure"`
	MaxLaunchDelay time.Duration     `yaml:"max-launch-delay" default:"1h" doc:"caps the launch backoff"`
}

// Kubernetes is the cadence of services run as ReplicaSets: the
// ReplicaSet controller's lag before a pod exists, the pod's start
// (scheduling, kubelet, container), the kubelet's readiness probe (its
// initial delay, then every health-check-interval-secs, as Waiter's
// ReplicaSets ask), its liveness probe after the grace period with
// max-consecutive-failures + 1 failures, and its crash-loop back-off.
type Kubernetes struct {
	ControllerLag         time.Duration     `yaml:"controller-lag" default:"20ms" doc:"how long the ReplicaSet controller takes to create (or delete) a pod after the replica count changes"`
	PodStart              *rng.DurationDist `yaml:"pod-start" default:"{kind: lognormal, median: 1s, sigma: 0.3}" doc:"time from a pod's creation to its container running (binding, kubelet, image already present)"`
	ReadinessInitialDelay time.Duration     `yaml:"readiness-initial-delay" doc:"the readiness probe's initialDelaySeconds (Waiter sets none): the first probe runs this long after the container starts, then every health-check interval"`
	CrashLoopBackoff      time.Duration     `yaml:"crash-loop-backoff" default:"10s" doc:"the kubelet's first restart delay of a container that exited; it doubles with each further exit"`
	MaxCrashLoopBackoff   time.Duration     `yaml:"max-crash-loop-backoff" default:"5m" doc:"caps the crash-loop back-off"`
}

// Service is one simulated service (or a family: Count > 1, or versions).
type Service struct {
	Name      string `yaml:"name" required:"true" doc:"the service's name (its Waiter name parameter); unique in the scenario"`
	Count     int    `yaml:"count" unit:"count" computed:"one service, named name" doc:"replicates the service: the copies are named name-0 .. name-N-1, each with a load of its own"`
	Behaviour `yaml:",inline"`
	Load      *load.Spec      `yaml:"load" required:"true" doc:"the arrival process of the service's requests"`
	Split     *load.SplitSpec `yaml:"split" doc:"sends each arrival to one version of the service, as a rollout does"`
}

// Behaviour is what a service is and does, apart from its name and load:
// its Waiter parameters, its timings and its failure modes. A trace's
// template is one.
type Behaviour struct {
	Params       map[string]any    `yaml:"params" computed:"cmd: simulated, cpus: 1, mem: 512, version: v1" doc:"the service's Waiter parameters, with Waiter's own names, units and defaults (see Waiter parameters below); the simulator sets name"`
	Startup      *rng.DurationDist `yaml:"startup" default:"2s" doc:"time from running to listening"`
	HealthyAfter *rng.DurationDist `yaml:"healthy-after" computed:"0 (healthy as soon as it listens)" doc:"time from listening until the health check passes (warm-up)"`
	ServiceTime  *rng.DurationDist `yaml:"service-time" default:"50ms" doc:"time one request takes on an idle instance"`
	SlowWhenBusy bool              `yaml:"slow-when-busy" doc:"stretches service time by in-flight requests / cpus when an instance holds more requests than it has cores"`
	Failure      Failure           `yaml:"failure" doc:"the service's failure modes"`
}

// Failure lists a service's failure modes.
type Failure struct {
	CrashAfterRequests int  `yaml:"crash-after-requests" unit:"count" computed:"0 (never)" doc:"an instance dies after serving this many requests"`
	BusyAbove          int  `yaml:"busy-above" unit:"count" computed:"0 (never)" doc:"an instance answers 503 while it holds more requests than this"`
	NeverHealthy       bool `yaml:"never-healthy" doc:"health checks never pass; they answer health-check-status"`
	HealthCheckStatus  int  `yaml:"health-check-status" unit:"HTTP status" computed:"0 (no answer)" doc:"the status a failing health check answers (with never-healthy)"`
	NeverListens       bool `yaml:"never-listens" doc:"the program runs but never accepts connections"`
	BadCommand         bool `yaml:"bad-command" doc:"the program exits at once with status 127"`
}

// Trace replays per-invocation records; every trace app becomes a service
// with Template's parameters and behaviour.
type Trace struct {
	Replay   load.TraceSpec `yaml:"replay" required:"true" doc:"the trace file and how to replay it"`
	Template Behaviour      `yaml:"template" doc:"the Waiter parameters and behaviour of every trace service: the keys of a service but name, count, load and split"`
}

// FaultKind names a fault.
type FaultKind string

// The faults a scenario can inject.
const (
	FaultMarathonOutage FaultKind = "marathon-outage"
	FaultSlowLaunch     FaultKind = "slow-launch"
	FaultAgentLoss      FaultKind = "agent-loss"
	FaultCrash          FaultKind = "crash"
	// FaultOperatorKill: an operator kills Count instances of Service
	// through the router (POST /apps/{id}/instance/{iid}/kill), which
	// has the scheduler replace them.
	FaultOperatorKill FaultKind = "operator-kill"
	// FaultRouterCrash: a router dies (and restarts after Duration, if
	// given); FaultRouterPartition: a router is cut off from its peers
	// (not from the coordinator or the scheduler) for Duration;
	// FaultLeaderLoss: the leader's coordinator session expires, so
	// another router leads.
	FaultRouterCrash     FaultKind = "router-crash"
	FaultRouterPartition FaultKind = "router-partition"
	FaultLeaderLoss      FaultKind = "leader-loss"
)

// EnumValues lists the fault kinds.
func (FaultKind) EnumValues() []string {
	return []string{string(FaultMarathonOutage), string(FaultSlowLaunch), string(FaultAgentLoss), string(FaultCrash), string(FaultOperatorKill),
		string(FaultRouterCrash), string(FaultRouterPartition), string(FaultLeaderLoss)}
}

// Fault is one injected failure.
type Fault struct {
	Kind     FaultKind     `yaml:"kind" required:"true" doc:"what fails: with marathon-outage, every call to Marathon's API (healthy instances keep serving); with slow-launch, launches take factor times longer; with agent-loss, count agents vanish with their tasks; with crash, count instances of service die; with operator-kill, an operator kills count instances of service through the router, which has the scheduler replace them; with router-crash, a router dies with its queued and in-flight requests (and restarts empty after duration, when given); with router-partition, a router is cut off from its peers but not from the coordinator or the scheduler for duration; with leader-loss, the leader's coordinator session expires and the next router leads"`
	Start    time.Duration `yaml:"start" doc:"when the fault begins"`
	Duration time.Duration `yaml:"duration" doc:"how long it lasts (marathon-outage, slow-launch, router-partition: more than 0; router-crash: until the router restarts, 0 for never)"`
	Factor   float64       `yaml:"factor" unit:"factor" doc:"multiplies launch latency (slow-launch); more than 0"`
	Count    int           `yaml:"count" unit:"count" doc:"how many agents are lost (agent-loss), instances crash (crash) or are killed (operator-kill); more than 0"`
	Service  string        `yaml:"service" doc:"the service whose instances crash (crash) or are killed (operator-kill)"`
	Router   string        `yaml:"router" doc:"the router a router-crash or router-partition hits: leader (the one leading when the fault starts) or router-N, N from 1 to routers"`
	line     int
}

// Assertion bounds one metric of the run's totals (or of one service).
type Assertion struct {
	Metric  Metric   `yaml:"metric" required:"true" doc:"the figure to bound (see Metrics below)"`
	Max     *float64 `yaml:"max" unit:"the metric's" doc:"the largest value that passes"`
	Min     *float64 `yaml:"min" unit:"the metric's" doc:"the smallest value that passes; give max, min or both"`
	Service string   `yaml:"service" doc:"bounds this service's figure instead of the run's totals"`
	line    int
}

// Line is the YAML line of the assertion, for messages.
func (a Assertion) Line() int { return a.line }

// Report tunes the time series.
type Report struct {
	Interval time.Duration `yaml:"interval" computed:"duration / 240" doc:"the width of one point of the report's time series"`
}

// MaxRouters bounds routers.
const MaxRouters = 16

// RouterID names router i (0-based) of a cluster: router-1, router-2, ...
// zero-padded so that ids sort like their numbers.
func RouterID(i, routers int) string {
	if routers >= 10 {
		return fmt.Sprintf("router-%02d", i+1)
	}
	return fmt.Sprintf("router-%d", i+1)
}

// RouterIndex is the 0-based index of the router a fault names as
// router-N (N from 1 to routers).
func RouterIndex(name string, routers int) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(name, "router-%d", &n); err != nil || n < 1 || n > routers {
		return 0, false
	}
	return n - 1, true
}
