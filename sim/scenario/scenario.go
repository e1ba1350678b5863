package scenario

import (
	"time"

	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/rng"
)

// Scenario is one simulator input file.
type Scenario struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Seed        uint64        `yaml:"seed"`
	Duration    time.Duration `yaml:"duration"`
	// Policy is the default scaling policy ("waiter", "knative").
	Policy string `yaml:"policy"`
	// Scheduler is what runs the services: "marathon" (the default: Mesos
	// and Marathon, whose health checks the router learns of by polling)
	// or "shell" (local processes: the scheduler probes a starting
	// instance every age/20, within 5-100 ms, and tells the router at
	// once). Both run on the same simulated cluster.
	Scheduler  string      `yaml:"scheduler"`
	Router     Router      `yaml:"router"`
	Marathon   Marathon    `yaml:"marathon"`
	Services   []Service   `yaml:"services"`
	Trace      *Trace      `yaml:"trace"`
	Faults     []Fault     `yaml:"faults"`
	Assertions []Assertion `yaml:"assertions"`
	// Fast marks scenarios that `make test` runs; the rest run under `make bench`.
	Fast bool `yaml:"fast"`
	// Report tunes the report (time-series resolution).
	Report Report `yaml:"report"`
}

// The schedulers a scenario can pick.
const (
	SchedulerMarathon = "marathon"
	SchedulerShell    = "shell"
)

// Router models the lag of a real router: it learns instance state by
// polling the scheduler (faster while requests wait, and right after a
// scheduler call: engine/syncer's rules), and the scheduler's API answers
// after a latency.
type Router struct {
	PollInterval     time.Duration `yaml:"poll-interval"`      // default 5s (Waiter's scheduler syncer)
	FastPollInterval time.Duration `yaml:"fast-poll-interval"` // default 200ms, while requests wait
	APILatency       time.Duration `yaml:"api-latency"`        // default 50ms
	ScalingInterval  time.Duration `yaml:"scaling-interval"`   // default 1s
	QueueTimeout     time.Duration `yaml:"queue-timeout"`      // default 300s
}

// Marathon describes the simulated Mesos cluster and Marathon.
type Marathon struct {
	Agents         int           `yaml:"agents"`         // default 10
	AgentCPUs      float64       `yaml:"agent-cpus"`     // default 32
	AgentMemMB     float64       `yaml:"agent-mem"`      // default 131072
	LaunchLatency  *rng.Dist     `yaml:"launch-latency"` // seconds, default lognormal median 2 sigma 0.3
	BackoffSeconds float64       `yaml:"backoff-seconds"`
	MaxLaunchDelay time.Duration `yaml:"max-launch-delay"`
}

// Service is one simulated service (or a family: Count > 1, or versions).
type Service struct {
	Name string `yaml:"name"`
	// Count replicates the service; the copies are named name-0 .. name-N-1.
	Count int `yaml:"count"`
	// Params are the service's Waiter parameters (cmd, cpus, mem, version
	// default to "simulated", 1, 512, "v1").
	Params map[string]any `yaml:"params"`
	// Startup is the seconds from running to listening.
	Startup *rng.Dist `yaml:"startup"`
	// HealthyAfter is the seconds from listening until the health check
	// passes (warm-up); default 0.
	HealthyAfter *rng.Dist `yaml:"healthy-after"`
	// ServiceTime is the seconds one request takes on an idle instance.
	ServiceTime *rng.Dist `yaml:"service-time"`
	// SlowWhenBusy stretches service time by in-flight/cpus when an
	// instance holds more requests than it has cores.
	SlowWhenBusy bool       `yaml:"slow-when-busy"`
	Failure      Failure    `yaml:"failure"`
	Load         *load.Spec `yaml:"load"`
	// Split sends each arrival to one version of the service (a rollout);
	// each version is a separate Waiter service differing in "version".
	Split *load.SplitSpec `yaml:"split"`
}

// Failure lists a service's failure modes.
type Failure struct {
	// CrashAfterRequests: an instance dies after serving this many requests.
	CrashAfterRequests int `yaml:"crash-after-requests"`
	// BusyAbove: an instance answers 503 when it holds more requests.
	BusyAbove int `yaml:"busy-above"`
	// NeverHealthy: health checks never pass (status HealthCheckStatus).
	NeverHealthy      bool `yaml:"never-healthy"`
	HealthCheckStatus int  `yaml:"health-check-status"`
	// NeverListens: the program runs but never accepts connections.
	NeverListens bool `yaml:"never-listens"`
	// BadCommand: the program exits at once with status 127.
	BadCommand bool `yaml:"bad-command"`
}

// Trace replays per-invocation records; every trace app becomes a service
// built from Template (its name and load are ignored).
type Trace struct {
	Replay   load.TraceSpec `yaml:"replay"`
	Template Service        `yaml:"template"`
}

// FaultKind names a fault.
type FaultKind string

const (
	FaultMarathonOutage FaultKind = "marathon-outage"
	FaultSlowLaunch     FaultKind = "slow-launch"
	FaultAgentLoss      FaultKind = "agent-loss"
	FaultCrash          FaultKind = "crash"
	// FaultOperatorKill: an operator kills Count instances of Service
	// through the router (POST /apps/{id}/instance/{iid}/kill), which
	// has the scheduler replace them.
	FaultOperatorKill FaultKind = "operator-kill"
)

// Fault is one injected failure.
type Fault struct {
	Kind     FaultKind     `yaml:"kind"`
	Start    time.Duration `yaml:"start"`
	Duration time.Duration `yaml:"duration"`
	// Factor multiplies launch latency during a slow-launch window.
	Factor float64 `yaml:"factor"`
	// Count is how many agents are lost or instances crash or are killed.
	Count int `yaml:"count"`
	// Service names the service whose instances crash or are killed.
	Service string `yaml:"service"`
	line    int
}

// Assertion bounds one metric of the run's totals (or of one service).
type Assertion struct {
	Metric  string   `yaml:"metric"`
	Max     *float64 `yaml:"max"`
	Min     *float64 `yaml:"min"`
	Service string   `yaml:"service"`
	line    int
}

// Line is the YAML line of the assertion, for messages.
func (a Assertion) Line() int { return a.line }

// Report tunes the time series.
type Report struct {
	// Interval is the width of one time-series point (default: duration/240).
	Interval time.Duration `yaml:"interval"`
}

// Metrics lists the names assertions may bound.
var Metrics = []string{
	"requests", "completed", "rejected", "errors", "cold_starts", "peak_instances",
	"instance_seconds", "p50_latency_ms", "p90_latency_ms", "p99_latency_ms",
	"p999_latency_ms", "max_latency_ms", "rejected_ratio",
}
