package marathon

import "time"

// A healthy task's health checks mostly change nothing: the check passes,
// as the last one did, and learns nothing new. Marathon still runs one
// every interval, and with a thousand apps those checks were most of the
// model's events (large.yaml's day: 8.6 M of them, 6 % of its time, most
// of it cache misses on the task, its app and the event heap).
//
// So a task whose check passed and changed nothing, in an app where a
// passing check has nothing to act on (steady), rests: its next checks
// are implied, one every interval from restFrom, each passing, and no
// event is queued for them. An implied check would have done three
// things, and each is kept:
//   - recorded its time as the last success: HealthOf computes it;
//   - reset the app's launch backoff: a task that fails (endTask with a
//     failure, the only place backoff grows) wakes its app's resting
//     tasks first;
//   - reconciled the app, which does nothing on an app at its instance
//     count without backoff. An open deployment does not change that: it
//     finishes at the reconcile of the event that made its last condition
//     true (a task running or turning healthy, a task ended, its hold's
//     end), never first at a check that changed nothing.
//
// Waking a task queues its next check at the first implied time after
// now, where it takes the place among that instant's events that it
// would have had queued all along: checks go first, in launch order
// (Model.push). An implied check at exactly now counts as run: callers from
// outside (a router's scale or kill) come after the model has advanced
// through now, as the check would have.

// steady reports whether a passing check of one of a's tasks would leave
// a as it is: no backoff to reset, no deployment to finish, no task to
// launch or kill.
func (m *Model) steady(a *App) bool {
	return a.backoffUntil == 0 && a.backoff == 0 && a.Deployment == "" && len(a.Tasks) == a.Instances
}

// rest lets t's checks from from on be implied (see above).
func (m *Model) rest(a *App, t *Task, from time.Duration) {
	t.resting, t.restFrom = true, from
	a.resting = append(a.resting, t)
}

// wakeChecks queues the next check of each of a's resting tasks, and
// records the last implied one's success.
func (m *Model) wakeChecks(a *App) {
	for _, t := range a.resting {
		next := t.restFrom
		if last, ok := t.lastImplied(m.now); ok {
			t.Health.LastSuccess = last
			next = last + a.Spec.HealthCheckInterval
		}
		t.resting = false
		m.push(next, mEvent{kind: evHealthCheck, gen: t.gen, t: t})
	}
	clear(a.resting)
	a.resting = a.resting[:0]
}

// lastImplied is the time of resting t's last implied check at or before
// now, if one is.
func (t *Task) lastImplied(now time.Duration) (time.Duration, bool) {
	if !t.resting || t.restFrom > now {
		return 0, false
	}
	every := t.app.Spec.HealthCheckInterval
	return t.restFrom + (now-t.restFrom)/every*every, true
}

// stopResting forgets t's implied checks: it ended.
func (m *Model) stopResting(a *App, t *Task) {
	if !t.resting {
		return
	}
	t.resting = false
	for i, x := range a.resting {
		if x == t {
			n := len(a.resting)
			copy(a.resting[i:], a.resting[i+1:])
			a.resting[n-1] = nil // keep no ended task alive
			a.resting = a.resting[:n-1]
			return
		}
	}
}

// HealthOf is t's health record as Marathon would report it now: with
// the last of its implied checks (see above) as its last success.
func (m *Model) HealthOf(t *Task) HealthRecord {
	h := t.Health
	if last, ok := t.lastImplied(m.now); ok {
		h.LastSuccess = last
	}
	return h
}
