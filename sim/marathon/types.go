package marathon

import (
	"errors"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

// Errors the model returns; an HTTP front end maps them to Marathon's codes.
var (
	// ErrAppExists: POST of an app id that exists (409).
	ErrAppExists = errors.New("marathon: an app with this id already exists")
	// ErrAppNotFound: unknown app (404).
	ErrAppNotFound = errors.New("marathon: app does not exist")
	// ErrTaskNotFound: unknown task (404).
	ErrTaskNotFound = errors.New("marathon: task does not exist")
	// ErrLocked: the app is locked by a running deployment (409) and the
	// change was not forced.
	ErrLocked = errors.New("marathon: app is locked by one or more deployments; override with force=true")
	// ErrInvalid: the app definition is invalid (422).
	ErrInvalid = errors.New("marathon: invalid app definition")
)

// Agent is one Mesos agent.
type Agent struct {
	ID     string
	Host   string
	CPUs   float64
	MemMB  float64
	usedC  float64
	usedM  float64
	lost   bool
	portNo int
}

// Lost reports whether the agent was lost.
func (a *Agent) Lost() bool { return a.lost }

// Config describes the cluster and Marathon's timing.
type Config struct {
	Agents []Agent
	// LaunchLatency is the staging-to-running delay in seconds.
	LaunchLatency rng.Dist
	// LaunchDelay is added to every launch's latency: Kubernetes'
	// ReplicaSet controller lag before the pod exists (0 for Marathon).
	LaunchDelay time.Duration
	// BackoffSeconds and MaxLaunchDelay are Marathon's launch backoff
	// (1 s and 3600 s); the factor is each app's BackoffFactor.
	BackoffSeconds float64
	MaxLaunchDelay time.Duration
	// FirstHealthCheck is the delay of the first check after a task runs:
	// min(interval, 5 s) in Marathon.
	FirstHealthCheck time.Duration
	// StartCheckInterval, when positive, checks a task that has not yet
	// passed a health check every min(StartCheckInterval, interval)
	// instead of every interval. Zero is Marathon's rule. It exists for
	// the model served over HTTP with real processes, where waiting a
	// whole interval (5 s at least for Waiter's services) before a
	// started service counts as healthy makes tests and demos slow.
	StartCheckInterval time.Duration
	// StartupProbe, when set, replaces Marathon's health-check cadence by
	// a local scheduler's (adapters/shell, engine.StartupProbeInterval):
	// a task that is not healthy is checked StartupProbe(age, interval)
	// after its previous check (the first right after it runs), a
	// healthy one every interval.
	StartupProbe func(age, interval time.Duration) time.Duration
	// OnChange, when set, is called with an app's id whenever what a
	// scheduler would report of it changes: a task runs, turns healthy
	// or unhealthy, or ends. A local scheduler notifies its router so.
	OnChange func(appID string)
	// Runtime runs tasks' programs for real; nil simulates them from each
	// app's Behavior in virtual time (see Runtime).
	Runtime Runtime
	// NewTaskID names a new task of appID; nil gives "<appID>.<n>" with n
	// counting the app's launches. Served over HTTP, tasks need Marathon's
	// "<appID with / as _>.<uuid>", which go-marathon's KillTask parses.
	NewTaskID func(appID string) string
}

// Behavior is what the model needs to know of the program a task runs.
type Behavior struct {
	// StartupTime is the running-to-listening delay in seconds.
	StartupTime rng.Dist
	// HealthyAfter is the seconds from listening until the health check
	// passes (warm-up); zero means at once.
	HealthyAfter rng.Dist
	// NeverHealthy: the program listens but its health check never passes.
	NeverHealthy bool
	// NeverListens: the program runs but never accepts connections.
	NeverListens bool
	// ExitCode, when non-zero, makes the program exit right after it starts
	// (a bad command: 127).
	ExitCode int
	// HealthCheckStatus is the status a failing health check returns (e.g. 401).
	HealthCheckStatus int
}

// AppSpec is an app definition as Waiter creates it.
type AppSpec struct {
	ID        string
	Instances int
	CPUs      float64
	MemMB     float64
	Ports     int
	// Health checks (from the service's health-check parameters).
	HealthCheckInterval    time.Duration
	GracePeriod            time.Duration
	MaxConsecutiveFailures int
	BackoffFactor          float64
	Behavior               Behavior
	// Program and Check are what a Runtime needs to run the app's tasks
	// for real; the simulated programs ignore them.
	Program Program
	Check   CheckSpec
	// Version labels the definition (Marathon's app version); new tasks
	// carry it.
	Version string
}

// Program is the command a task runs, as Marathon's cmd or args, env
// and taskKillGracePeriodSeconds give it.
type Program struct {
	// Cmd runs under /bin/sh -c; when empty, Args runs directly.
	Cmd  string
	Args []string
	Env  map[string]string
	// KillGracePeriod is the wait between SIGTERM and SIGKILL.
	KillGracePeriod time.Duration
}

// CheckSpec is an app's health check as a Runtime runs it.
type CheckSpec struct {
	// Protocol is HTTP, HTTPS, TCP or their MESOS_ variants.
	Protocol  string
	Path      string
	PortIndex int
	Timeout   time.Duration
}

// TaskState is a task's Mesos state as Marathon reports it.
type TaskState string

const (
	TaskWaiting TaskState = "TASK_WAITING" // not yet placed: no agent has room
	TaskStaging TaskState = "TASK_STAGING"
	TaskRunning TaskState = "TASK_RUNNING"
)

// Task is one task of an app.
type Task struct {
	ID        string
	AppID     string
	AgentID   string
	Host      string
	Ports     []int
	State     TaskState
	StagedAt  time.Duration
	StartedAt time.Duration
	// Alive is Marathon's health result: a success later than any failure.
	Alive bool
	// HealthChecked is set once a health check ran (healthCheckResults non-empty).
	HealthChecked bool
	LastStatus    int
	// Facts for deployment errors.
	HasConnected bool
	HasResponded bool
	// Health records the times of health-check results, for Marathon's
	// healthCheckResults.
	Health HealthRecord
	// Version is the app version the task was launched with.
	Version string
	// DriverRef is the driver's handle for the task (0: none yet); the model
	// never reads it. The simulator caches its own state of the task
	// here rather than look it up by id at every poll.
	DriverRef uint64

	app         *App // the app that launched it
	ended       bool
	started     bool // a Runtime started its program
	listening   bool
	listenAt    time.Duration
	readyAt     time.Duration
	consecutive int
	everHealthy bool
	gen         uint64
	// resting: t's checks from restFrom on are implied (resting.go).
	resting  bool
	restFrom time.Duration
	// serial is t's place in the order of launches: its health checks'
	// key among the events of an instant (Model.push).
	serial uint64
}

// checkFacts are what a health check may change of t that a router
// reads, besides Alive.
func (t *Task) checkFacts() checkFacts {
	return checkFacts{t.HealthChecked, t.HasConnected, t.HasResponded, t.LastStatus}
}

type checkFacts struct {
	checked, connected, responded bool
	status                        int
}

// HealthRecord is what Marathon reports of a task's health checks.
type HealthRecord struct {
	HasSuccess, HasFailure bool
	FirstSuccess           time.Duration
	LastSuccess            time.Duration
	LastFailure            time.Duration
	LastFailureCause       string
}

// ConsecutiveFailures counts the failed health checks since the last
// success that counted (failures in the grace period do not).
func (t *Task) ConsecutiveFailures() int { return t.consecutive }

// Ref names the task's current incarnation for a Runtime's reports.
func (t *Task) Ref() TaskRef { return TaskRef{ID: t.ID, gen: t.gen} }

// Ended reports whether the task has terminated.
func (t *Task) Ended() bool { return t.ended }

// Listening reports whether the task's program accepts connections.
func (t *Task) Listening() bool { return t.listening }

// Failure is a terminated task as lastTaskFailure reports it.
type Failure struct {
	TaskID   string
	Host     string
	At       time.Duration
	ExitCode int
	// HasExitCode is false for kills.
	HasExitCode bool
	// Message uses Marathon's wording: "Command exited with status N",
	// "Memory limit exceeded: ...", "Task was killed since health check failed".
	Message                 string
	NeverPassedHealthChecks bool
	MemoryLimitExceeded     bool
	HasConnected            bool
	HasResponded            bool
	StartedAt               time.Duration
}

// App is the model's view of one app.
type App struct {
	// Spec is the app's definition. It changes through RestartApp, which
	// replaces every task; a change made in place would go unseen by the
	// checks of tasks that rest (resting.go).
	Spec      AppSpec
	Instances int
	Tasks     []*Task
	// Deployment is the id of the deployment that locks the app, "" if none.
	Deployment string
	// Failures holds the most recent failures, oldest first (at most 10).
	Failures []Failure
	// TaskSeconds accumulates task lifetimes from placement to end.
	TaskSeconds float64
	// PeakTasks is the most tasks the app had at once.
	PeakTasks int
	// DriverRef is the driver's handle for the app (0: none yet); the model
	// never reads it.
	DriverRef int

	backoff      time.Duration
	backoffUntil time.Duration
	// deployNotBefore holds the deployment open until then (a slow
	// deployment or a held lock; 0 = no hold).
	deployNotBefore time.Duration
	nextTask        int
	created         time.Duration
	// rev counts the changes to what a poll lists of the app (Rev).
	rev uint64
	// resting are its tasks whose checks are implied (resting.go).
	resting []*Task
}

// Rev is the app's revision. It changes whenever what a router makes of
// the app may have changed: its instance count, its tasks, their state,
// host, ports and start, their health and what their checks learnt
// (checkFacts), its recent failures. A health check that learns nothing
// new leaves it (the check times Health records are not in it), so a
// driver that lists the same app poll after poll may keep what it made
// of it while Rev stays.
func (a *App) Rev() uint64 { return a.rev }

// LastTaskFailure returns the newest failure, if any.
func (a *App) LastTaskFailure() (Failure, bool) {
	if len(a.Failures) == 0 {
		return Failure{}, false
	}
	return a.Failures[len(a.Failures)-1], true
}

// Counts returns Marathon's task counters.
func (a *App) Counts() (staged, running, healthy, unhealthy int) {
	for _, t := range a.Tasks {
		switch t.State {
		case TaskStaging, TaskWaiting:
			staged++
		case TaskRunning:
			running++
			if t.HealthChecked {
				if t.Alive {
					healthy++
				} else {
					unhealthy++
				}
			}
		}
	}
	return
}
