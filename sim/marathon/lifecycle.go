package marathon

import (
	"fmt"
	"math"
	"time"
)

func (m *Model) startDeployment(a *App) {
	m.deploy++
	a.Deployment = fmt.Sprintf("deployment-%d", m.deploy)
	a.deployNotBefore = 0
	if m.minDeploy > 0 {
		m.holdDeployment(a, m.minDeploy)
	}
}

// holdDeployment keeps a's deployment open for at least d from now.
func (m *Model) holdDeployment(a *App, d time.Duration) {
	a.deployNotBefore = m.now + d
	m.push(a.deployNotBefore, mEvent{kind: evLaunch, app: a.Spec.ID})
}

// reconcile launches tasks up to the app's instance count (unless backoff
// holds launches back), kills the youngest extra tasks, and finishes the
// deployment once every wanted task runs and is healthy.
func (m *Model) reconcile(a *App) {
	for len(a.Tasks) > a.Instances {
		m.endTask(a, youngest(a.Tasks), nil)
	}
	if len(a.Tasks) < a.Instances {
		if m.now < a.backoffUntil {
			m.push(a.backoffUntil, mEvent{kind: evLaunch, app: a.Spec.ID})
		} else {
			for len(a.Tasks) < a.Instances {
				m.launch(a)
			}
		}
	}
	a.PeakTasks = max(a.PeakTasks, len(a.Tasks))
	if a.Deployment != "" && len(a.Tasks) == a.Instances && m.now >= a.deployNotBefore {
		done := true
		for _, t := range a.Tasks {
			if t.State != TaskRunning || (a.Spec.HealthCheckInterval > 0 && !t.Alive) {
				done = false
				break
			}
		}
		if done {
			a.Deployment = ""
		}
	}
}

func youngest(ts []*Task) *Task {
	y := ts[0]
	for _, t := range ts[1:] {
		if t.StagedAt >= y.StagedAt {
			y = t
		}
	}
	return y
}

// launch creates a task and places it on the first agent with room, or
// leaves it waiting for room.
func (m *Model) launch(a *App) {
	a.nextTask++
	id := fmt.Sprintf("%s.%d", a.Spec.ID, a.nextTask)
	if m.cfg.NewTaskID != nil {
		id = m.cfg.NewTaskID(a.Spec.ID)
	}
	m.launched++
	t := &Task{ID: id, AppID: a.Spec.ID, State: TaskWaiting, StagedAt: m.now, Version: a.Spec.Version, app: a, serial: m.launched}
	m.tasks[t.ID] = t
	a.Tasks = append(a.Tasks, t)
	a.rev++
	m.live++
	m.peakLive = max(m.peakLive, m.live)
	m.unplaced++
	m.place(a, t)
}

func (m *Model) place(a *App, t *Task) bool {
	for _, ag := range m.agents {
		if ag.lost || ag.CPUs-ag.usedC < a.Spec.CPUs-1e-9 || ag.MemMB-ag.usedM < a.Spec.MemMB-1e-9 {
			continue
		}
		ag.usedC += a.Spec.CPUs
		ag.usedM += a.Spec.MemMB
		t.AgentID, t.Host, t.State = ag.ID, ag.Host, TaskStaging
		a.rev++
		m.unplaced--
		t.Ports = t.Ports[:0]
		for i := 0; i < a.Spec.Ports; i++ {
			ag.portNo++
			t.Ports = append(t.Ports, 31000+ag.portNo%1000)
		}
		t.gen++
		delay := m.cfg.LaunchLatency.SampleDuration(m.src, time.Second)
		if m.launchFactor > 0 {
			delay = time.Duration(float64(delay) * m.launchFactor)
		}
		delay += m.cfg.LaunchDelay
		m.push(m.now+delay, mEvent{kind: evRunning, gen: t.gen, t: t})
		return true
	}
	m.waiting++
	return false
}

// placeWaiting retries placement of waiting tasks after resources freed.
func (m *Model) placeWaiting() {
	if m.unplaced == 0 {
		return // nothing waits: no need to walk every task of every app
	}
	for _, a := range m.ordered { // m.order's apps, without a lookup each
		for _, t := range a.Tasks {
			if t.State == TaskWaiting && !m.place(a, t) {
				return
			}
		}
	}
}

// endTask removes t from a; f is nil for a kill (no backoff) and describes
// the failure otherwise (backoff grows).
func (m *Model) endTask(a *App, t *Task, f *Failure) {
	for i, x := range a.Tasks {
		if x == t {
			a.Tasks = append(a.Tasks[:i], a.Tasks[i+1:]...)
			break
		}
	}
	delete(m.tasks, t.ID)
	m.stopResting(a, t)
	t.ended = true
	a.rev++
	m.removals++
	m.changed(a)
	if t.started {
		m.cfg.Runtime.Stop(t)
	}
	m.live--
	t.gen++ // cancels its pending events
	a.TaskSeconds += (m.now - t.StagedAt).Seconds()
	if t.State == TaskWaiting {
		m.unplaced--
	} else {
		for _, ag := range m.agents {
			if ag.ID == t.AgentID {
				ag.usedC -= a.Spec.CPUs
				ag.usedM -= a.Spec.MemMB
			}
		}
	}
	if f != nil {
		m.wakeChecks(a) // a passing check resets the backoff this failure grows
		f.TaskID, f.Host, f.At, f.StartedAt = t.ID, t.Host, m.now, t.StartedAt
		a.Failures = append(a.Failures, *f)
		if len(a.Failures) > 10 {
			a.Failures = a.Failures[1:]
		}
		if !f.NeverPassedHealthChecks { // health-check kills do not back off (Marathon's code)
			if a.backoff == 0 {
				a.backoff = time.Duration(m.cfg.BackoffSeconds * float64(time.Second))
			} else {
				a.backoff = time.Duration(math.Min(float64(m.cfg.MaxLaunchDelay), float64(a.backoff)*a.Spec.BackoffFactor))
			}
			a.backoffUntil = m.now + a.backoff
		}
	}
	m.placeWaiting()
}

// changed tells OnChange that what a scheduler reports of a changed.
func (m *Model) changed(a *App) {
	if m.cfg.OnChange != nil {
		m.cfg.OnChange(a.Spec.ID)
	}
}

func (m *Model) handle(e mEvent) {
	if e.kind == evLaunch {
		if a := m.apps[e.app]; a != nil {
			m.reconcile(a)
		}
		return
	}
	t := e.t
	if t == nil || t.ended || t.gen != e.gen {
		// The task ended or was re-placed since. A task now under the
		// same id is another one (an app deleted and created again
		// numbers its tasks from 1 again): the event is not its.
		return
	}
	// A live task's app is the one that launched it: only DeleteApp
	// forgets an app, and it ends every task first.
	a := t.app
	b := &a.Spec.Behavior // not copied: only a few of its fields are read, and not for every event
	switch e.kind {
	case evRunning:
		t.State, t.StartedAt = TaskRunning, m.now
		a.rev++
		if rt := m.cfg.Runtime; rt != nil {
			if err := rt.Start(a, t); err != nil {
				m.endTask(a, t, &Failure{Message: "Failed to launch: " + err.Error()})
				m.reconcile(a)
				return
			}
			t.started = true
		} else if b.ExitCode != 0 {
			m.push(m.now+10*time.Millisecond, mEvent{kind: evExit, gen: t.gen, t: t})
		} else if !b.NeverListens {
			d := b.StartupTime.SampleDuration(m.src, time.Second)
			m.push(m.now+d, mEvent{kind: evListening, gen: t.gen, t: t})
		}
		if a.Spec.HealthCheckInterval > 0 {
			first := min(a.Spec.HealthCheckInterval, m.cfg.FirstHealthCheck)
			if m.cfg.StartupProbe != nil {
				first = m.cfg.StartupProbe(0, a.Spec.HealthCheckInterval)
			}
			m.push(m.now+first, mEvent{kind: evHealthCheck, gen: t.gen, t: t})
		}
		m.changed(a)
		m.reconcile(a)
	case evListening:
		t.listening, t.listenAt = true, m.now
		t.readyAt = m.now
		if b.HealthyAfter.Kind != "" {
			t.readyAt += b.HealthyAfter.SampleDuration(m.src, time.Second)
		}
	case evExit:
		m.endTask(a, t, &Failure{ExitCode: b.ExitCode, HasExitCode: true,
			Message: fmt.Sprintf("Command exited with status %d", b.ExitCode)})
		m.reconcile(a)
	case evHealthCheck:
		if rt := m.cfg.Runtime; rt != nil {
			rt.Check(a, t, t.Ref()) // the result comes back as HealthCheckDone
			return
		}
		m.healthCheck(a, t)
	}
}

// healthCheck runs one simulated Marathon HTTP health check of t from the
// app's Behavior.
func (m *Model) healthCheck(a *App, t *Task) {
	p := m.Probe(m.now, t)
	before := t.checkFacts()
	t.HealthChecked = true
	if p.Connected {
		t.HasConnected, t.HasResponded = true, true
		t.LastStatus = p.Status
	}
	m.afterCheck(a, t, p.Healthy, before)
}

// ProbeResult is what one HTTP GET of a task's health-check URL gets.
type ProbeResult struct {
	// Healthy: it answered 2xx.
	Healthy bool
	// Connected: something listened (and, in the model, answered).
	Connected bool
	// Status is the answer's status, 0 when nothing listened.
	Status int
}

// Probe is what a health check of t would get at now (not before the
// model's time, whose events up to now have run) from its app's
// Behavior (no Runtime): refused until the program listens, then 200
// once it is ready, or the behaviour's failing status. Marathon's own
// checks use it, and so does the simulated router where Waiter's
// scheduler syncer checks instances Marathon does not call healthy yet.
func (m *Model) Probe(now time.Duration, t *Task) ProbeResult {
	if !t.listening || t.ended {
		return ProbeResult{}
	}
	b := &t.app.Spec.Behavior // t has not ended: its app is there
	if b.NeverHealthy {
		st := b.HealthCheckStatus
		if st == 0 {
			st = 500
		}
		return ProbeResult{Connected: true, Status: st}
	}
	// Warming up (healthy-after), it answers but does not pass yet; the
	// model has always recorded 200 for it, which no rule reads of an
	// instance that is not healthy.
	return ProbeResult{Healthy: max(now, m.now) >= t.readyAt, Connected: true, Status: 200}
}

// afterCheck applies one health check's outcome as Marathon's
// HealthCheckActor does: failures before the first success count only
// after the grace period; the check after maxConsecutiveFailures counted
// failures kills the task. Then it schedules the next check.
// before is what the task's checks had learnt before this one
// (checkFacts): the app's revision moves when the check changed that or
// the task's health.
func (m *Model) afterCheck(a *App, t *Task, pass bool, before checkFacts) {
	unchanged := t.checkFacts() == before && t.Alive == pass
	if !unchanged {
		a.rev++
	}
	if t.Alive != pass {
		m.changed(a)
	}
	if pass {
		if !t.Health.HasSuccess {
			t.Health.FirstSuccess = m.now
		}
		t.Health.HasSuccess, t.Health.LastSuccess = true, m.now
		t.Alive, t.consecutive, t.everHealthy = true, 0, true
		a.backoff, a.backoffUntil = 0, 0
	} else {
		t.Health.HasFailure, t.Health.LastFailure = true, m.now
		t.Alive = false
		inGrace := !t.everHealthy && m.now < t.StartedAt+a.Spec.GracePeriod
		if !inGrace {
			if a.Spec.MaxConsecutiveFailures > 0 && t.consecutive >= a.Spec.MaxConsecutiveFailures {
				m.endTask(a, t, &Failure{Message: "Task was killed since health check failed",
					NeverPassedHealthChecks: !t.everHealthy, HasConnected: t.HasConnected, HasResponded: t.HasResponded})
				m.reconcile(a)
				return
			}
			t.consecutive++
		}
	}
	next := a.Spec.HealthCheckInterval
	switch {
	case m.cfg.StartupProbe != nil && !t.Alive:
		next = m.cfg.StartupProbe(m.now-t.StartedAt, next)
	case m.cfg.StartCheckInterval > 0 && !t.everHealthy:
		next = min(next, m.cfg.StartCheckInterval)
	}
	if pass && unchanged && m.cfg.Runtime == nil && !m.noRest && next == a.Spec.HealthCheckInterval && m.steady(a) {
		m.rest(a, t, m.now+next) // reconcile does nothing on a steady app
		return
	}
	m.push(m.now+next, mEvent{kind: evHealthCheck, gen: t.gen, t: t})
	m.reconcile(a)
}
