package marathon

import (
	"fmt"
	"sort"
	"time"

	"github.com/waiter-go/waiter/sim/eventq"
	"github.com/waiter-go/waiter/sim/rng"
)

// Model is the cluster plus Marathon. It is not safe for concurrent use.
type Model struct {
	cfg    Config
	agents []*Agent
	apps   map[string]*App
	order  []string // app ids, sorted, for deterministic iteration
	// ordered holds the apps in order's order: a poll walks them without
	// a map lookup per app.
	ordered []*App
	tasks   map[string]*Task
	q       eventq.Queue[mEvent]
	src     *rng.Source
	now     time.Duration
	deploy  int
	// waiting counts task placements that found no agent with room.
	waiting int64
	// launchFactor stretches launch latency (a slow-launch fault).
	launchFactor   float64
	live, peakLive int
	// minDeploy is the least time a deployment takes (a slow-deployment
	// fault; 0 = none).
	minDeploy time.Duration
	// removals counts tasks ended and apps deleted (Removals).
	removals uint64
	// unplaced counts the tasks waiting for an agent with room
	// (TaskWaiting), which placeWaiting retries.
	unplaced int
	// noRest queues every health check (resting.go): the reference a
	// test compares the model with.
	noRest bool
	// launched numbers tasks as they are launched (Task.serial), pushed
	// the events other than health checks (push).
	launched, pushed uint64
}

// Removals counts the tasks ended and the apps deleted so far: a driver
// that keeps something per task (or per recent failure) looks for what
// went only when it changed.
func (m *Model) Removals() uint64 { return m.removals }

// SetLaunchFactor multiplies launch latencies from now on (1 = normal).
func (m *Model) SetLaunchFactor(f float64) { m.launchFactor = f }

// PeakTasks is the most tasks that existed at once across all apps.
func (m *Model) PeakTasks() int { return m.peakLive }

type mEventKind uint8

const (
	evRunning mEventKind = iota + 1
	evListening
	evHealthCheck
	evLaunch
	evExit
)

type mEvent struct {
	kind mEventKind
	app  string // evLaunch's
	// t is the task the event was scheduled for, and gen its generation
	// then: the event is stale once t ended or was re-placed.
	gen uint64
	t   *Task
}

// New returns a model with cfg; src seeds launch latencies and start-up times.
func New(cfg Config, src *rng.Source) *Model {
	if cfg.BackoffSeconds <= 0 {
		cfg.BackoffSeconds = 1
	}
	if cfg.MaxLaunchDelay <= 0 {
		cfg.MaxLaunchDelay = time.Hour
	}
	if cfg.FirstHealthCheck <= 0 {
		cfg.FirstHealthCheck = 5 * time.Second
	}
	m := &Model{cfg: cfg, apps: map[string]*App{}, tasks: map[string]*Task{}, src: src}
	for i := range cfg.Agents {
		a := cfg.Agents[i]
		if a.Host == "" {
			a.Host = a.ID
		}
		m.agents = append(m.agents, &a)
	}
	return m
}

// Now returns the model's virtual time.
func (m *Model) Now() time.Duration { return m.now }

// NextEvent returns when the model next has timed work.
func (m *Model) NextEvent() (time.Duration, bool) { return m.q.PeekAt() }

// otherEvents is the first key of the events other than health checks:
// above every task serial, so that checks go first at their instant.
const otherEvents = 1 << 62

// push schedules e at at. Of the events due at one instant, the health
// checks run first, in the order their tasks were launched, and then the
// others in the order they were pushed. Checks are not ordered by when
// they were pushed because a resting task's (resting.go) is pushed only
// when its app wakes it: by push order, an app whose task rested would
// act after an event that another app pushed in between, where with its
// check queued all along it acted first (two apps waiting for one free
// slot, the slot went to the other).
//
// PushKeyed asks for keys that differ among pending events. Two checks
// share a key only when they are one task's, and then at most one of them
// is live: the task's generation moved past the other (handle drops it),
// so whichever of the two pops first, the outcome is the same.
func (m *Model) push(at time.Duration, e mEvent) {
	key := otherEvents + m.pushed
	if e.kind == evHealthCheck {
		key = e.t.serial
	} else {
		m.pushed++
	}
	m.q.PushKeyed(at, key, e)
}

// Advance does all timed work due at or before now, in time order.
func (m *Model) Advance(now time.Duration) {
	for {
		if at, ok := m.q.PeekAt(); !ok || at > now {
			break
		}
		e, _ := m.q.Pop()
		if e.At > m.now {
			m.now = e.At
		}
		m.handle(e.Value)
	}
	if now > m.now {
		m.now = now
	}
}

func (m *Model) at(now time.Duration) {
	m.Advance(now)
}

// App returns the app with id, or nil.
func (m *Model) App(id string) *App { return m.apps[id] }

// AppIDs returns every app id, sorted.
func (m *Model) AppIDs() []string { return m.order }

// Apps returns the apps in the order of AppIDs; the caller must not
// modify the slice.
func (m *Model) Apps() []*App { return m.ordered }

// Agents returns the agents.
func (m *Model) Agents() []*Agent { return m.agents }

// WaitingPlacements counts placements that found no agent with room.
func (m *Model) WaitingPlacements() int64 { return m.waiting }

// Task returns the task with id, or nil.
func (m *Model) Task(id string) *Task { return m.tasks[id] }

// CreateApp creates an app and starts its deployment.
func (m *Model) CreateApp(now time.Duration, spec AppSpec) (*App, error) {
	m.at(now)
	if _, ok := m.apps[spec.ID]; ok {
		return nil, fmt.Errorf("create %s: %w", spec.ID, ErrAppExists)
	}
	if spec.ID == "" || spec.CPUs <= 0 || spec.MemMB <= 0 || spec.Instances < 0 {
		return nil, fmt.Errorf("create %q: %w: id, cpus > 0 and mem > 0 are required", spec.ID, ErrInvalid)
	}
	if spec.BackoffFactor < 1 {
		spec.BackoffFactor = 1.15
	}
	if spec.Ports < 1 {
		spec.Ports = 1
	}
	a := &App{Spec: spec, Instances: spec.Instances, created: now}
	m.apps[spec.ID] = a
	i := sort.SearchStrings(m.order, spec.ID)
	m.order = append(m.order, "")
	copy(m.order[i+1:], m.order[i:])
	m.order[i] = spec.ID
	m.ordered = append(m.ordered, nil)
	copy(m.ordered[i+1:], m.ordered[i:])
	m.ordered[i] = a
	m.startDeployment(a)
	m.reconcile(a)
	return a, nil
}

// ScaleApp sets an app's instance count. A running deployment refuses it
// unless force, which cancels that deployment.
func (m *Model) ScaleApp(now time.Duration, id string, instances int, force bool) error {
	m.at(now)
	a := m.apps[id]
	if a == nil {
		return fmt.Errorf("scale %s: %w", id, ErrAppNotFound)
	}
	if a.Deployment != "" && !force {
		return fmt.Errorf("scale %s (deployment %s): %w", id, a.Deployment, ErrLocked)
	}
	if instances < 0 {
		return fmt.Errorf("scale %s to %d: %w", id, instances, ErrInvalid)
	}
	a.Instances = instances
	a.rev++
	m.startDeployment(a)
	m.reconcile(a)
	return nil
}

// KillTask kills one task; with scale the app's instance count drops by
// one (a deployment that obeys locking), without it Marathon relaunches.
func (m *Model) KillTask(now time.Duration, appID, taskID string, scale, force bool) error {
	m.at(now)
	a := m.apps[appID]
	if a == nil {
		return fmt.Errorf("kill %s/%s: %w", appID, taskID, ErrAppNotFound)
	}
	t := m.tasks[taskID]
	if t == nil || t.AppID != appID {
		return fmt.Errorf("kill %s/%s: %w", appID, taskID, ErrTaskNotFound)
	}
	if scale {
		if a.Deployment != "" && !force {
			return fmt.Errorf("kill %s/%s with scale (deployment %s): %w", appID, taskID, a.Deployment, ErrLocked)
		}
		a.Instances = max(0, a.Instances-1)
		a.rev++
	}
	m.endTask(a, t, nil)
	if scale {
		a.Deployment = "" // a kill-and-scale deployment finishes with the kill
	}
	m.reconcile(a)
	return nil
}

// DeleteApp stops every task and forgets the app (always forced).
func (m *Model) DeleteApp(now time.Duration, id string) error {
	m.at(now)
	a := m.apps[id]
	if a == nil {
		return fmt.Errorf("delete %s: %w", id, ErrAppNotFound)
	}
	for len(a.Tasks) > 0 {
		m.endTask(a, a.Tasks[0], nil)
	}
	delete(m.apps, id)
	m.removals++ // its recent failures go with it
	i := sort.SearchStrings(m.order, id)
	m.order = append(m.order[:i], m.order[i+1:]...)
	m.ordered = append(m.ordered[:i], m.ordered[i+1:]...)
	m.placeWaiting()
	return nil
}

// FailTask ends a running task as failed (a crash seen by the router or a
// fault), recording f's facts; Marathon relaunches it with backoff.
func (m *Model) FailTask(now time.Duration, taskID string, f Failure) error {
	m.at(now)
	t := m.tasks[taskID]
	if t == nil {
		return fmt.Errorf("fail %s: %w", taskID, ErrTaskNotFound)
	}
	a := m.apps[t.AppID]
	m.endTask(a, t, &f)
	m.reconcile(a)
	return nil
}

// LoseAgent removes an agent: its tasks end (TASK_LOST counts as failed)
// and Marathon replaces them elsewhere.
func (m *Model) LoseAgent(now time.Duration, agentID string) {
	m.at(now)
	for _, ag := range m.agents {
		if ag.ID != agentID || ag.lost {
			continue
		}
		ag.lost = true
		for _, id := range m.order {
			a := m.apps[id]
			for i := 0; i < len(a.Tasks); {
				t := a.Tasks[i]
				if t.AgentID == agentID {
					m.endTask(a, t, &Failure{Message: "Agent lost", HasConnected: t.HasConnected, HasResponded: t.HasResponded})
					continue
				}
				i++
			}
			m.reconcile(a)
		}
	}
}

// Deployments lists the ids of running deployments by app id.
func (m *Model) Deployments() map[string]string {
	out := map[string]string{}
	for _, id := range m.order {
		if d := m.apps[id].Deployment; d != "" {
			out[id] = d
		}
	}
	return out
}

// CancelDeployment removes a deployment's lock (DELETE /v2/deployments/{id}?force=true).
func (m *Model) CancelDeployment(now time.Duration, deploymentID string) bool {
	m.at(now)
	for _, id := range m.order {
		if a := m.apps[id]; a.Deployment == deploymentID {
			a.Deployment = ""
			return true
		}
	}
	return false
}

// TaskSeconds returns the app's task lifetime so far, live tasks included.
func (m *Model) TaskSeconds(a *App, now time.Duration) float64 {
	total := a.TaskSeconds
	for _, t := range a.Tasks {
		total += (now - t.StagedAt).Seconds()
	}
	return total
}
