package marathon

import (
	"fmt"
	"time"
)

// Runtime runs the programs of tasks outside the model: real processes
// when the model is served over HTTP as a one-machine Mesos. With a nil
// Runtime (the simulator's case) programs are simulated from each app's
// Behavior, in virtual time, exactly as before Runtime existed.
//
// The model calls a Runtime while its owner holds the lock that guards
// the model, so every method must return promptly and must never call
// back into the model: results come back later, from another goroutine,
// through the owner, as Model.HealthCheckDone and Model.ProgramEnded
// with the TaskRef they were given.
type Runtime interface {
	// Start starts t's program as t turns running. It may replace
	// t.Ports with the ports it reserved (the model's are provisional);
	// an error fails the task as a failed launch.
	Start(a *App, t *Task) error
	// Stop stops t's program: the task ended (killed, scaled away,
	// deleted, failed its health checks). Its exit is not reported.
	Stop(t *Task)
	// Check begins one health check of t; the result must come back
	// through Model.HealthCheckDone with ref.
	Check(a *App, t *Task, ref TaskRef)
}

// TaskRef names one incarnation of a task, so that a result that
// arrives after the task ended (or was re-placed) is dropped.
type TaskRef struct {
	ID  string
	gen uint64
}

// CheckResult is the outcome of one health check a Runtime ran.
type CheckResult struct {
	// Pass: a status of 200-399 within the timeout (Marathon's rule), or
	// a TCP connect for TCP checks.
	Pass      bool
	Connected bool
	Responded bool
	// Status is the HTTP status, 0 when nothing answered.
	Status int
	// Cause says why a check failed, for lastFailureCause.
	Cause string
}

// byRef returns the task ref names, if it is still that incarnation.
func (m *Model) byRef(ref TaskRef) (*App, *Task) {
	t := m.tasks[ref.ID]
	if t == nil || t.gen != ref.gen {
		return nil, nil
	}
	return m.apps[t.AppID], t
}

// HealthCheckDone applies the result of a check a Runtime ran, then
// schedules the next check. Results for tasks that ended are dropped.
func (m *Model) HealthCheckDone(now time.Duration, ref TaskRef, r CheckResult) {
	m.at(now)
	a, t := m.byRef(ref)
	if t == nil {
		return
	}
	before := t.checkFacts()
	t.HealthChecked = true
	t.HasConnected = t.HasConnected || r.Connected
	t.HasResponded = t.HasResponded || r.Responded
	t.LastStatus = r.Status
	if !r.Pass {
		t.Health.LastFailureCause = r.Cause
	}
	m.afterCheck(a, t, r.Pass, before)
}

// ProgramEnded fails a task whose program ended by itself (f says how:
// "Command exited with status N"); Marathon relaunches it with backoff.
// Reports for tasks that ended already are dropped.
func (m *Model) ProgramEnded(now time.Duration, ref TaskRef, f Failure) {
	m.at(now)
	a, t := m.byRef(ref)
	if t == nil {
		return
	}
	f.HasConnected, f.HasResponded = f.HasConnected || t.HasConnected, f.HasResponded || t.HasResponded
	m.endTask(a, t, &f)
	m.reconcile(a)
}

// ExitFailure is the Failure Mesos reports for a command that exited
// with code (or, when signal > 0, was terminated by that signal).
func ExitFailure(code, signal int, signalName string) Failure {
	if signal > 0 {
		return Failure{Message: fmt.Sprintf("Command terminated with signal %s", signalName)}
	}
	return Failure{ExitCode: code, HasExitCode: true, Message: fmt.Sprintf("Command exited with status %d", code)}
}
