package marathon

import (
	"context"
	"net/url"
	"slices"
	"strings"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/engine"
)

// Observe reads every app (GET /v2/apps?embed=apps.lastTaskFailure&
// embed=apps.tasks) and returns the services among them, by service id:
// requested = instances, scheduled = count(tasks), the running tasks as
// instances (health from Marathon's results, or from the router's own
// check while Marathon has not called them healthy), and the recent
// failures. It also realigns apps whose instance count drifted.
func (s *Scheduler) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	var apps *gomarathon.Applications
	err := s.call(ctx, "observe", func() error {
		var err error
		apps, err = s.client.Applications(url.Values{"embed": {"apps.lastTaskFailure", "apps.tasks"}})
		return err
	})
	if err != nil {
		return nil, wrap("observe", err, ErrServiceNotFound)
	}
	dropNullTasks(apps)
	obs := map[string]*engine.Observation{}
	var probes []probeJob
	live := map[string]bool{}
	s.mu.Lock()
	for i := range apps.Apps {
		app := &apps.Apps[i]
		id := strings.TrimPrefix(app.ID, "/")
		if !strings.HasPrefix(id, s.cfg.ServicePrefix) {
			continue // not Waiter's
		}
		o := &engine.Observation{Exists: true, Scheduled: len(app.Tasks)}
		if app.Instances != nil {
			o.Requested = *app.Instances
		}
		check := firstCheck(app)
		for _, t := range app.Tasks {
			tid := strings.TrimPrefix(t.ID, "/")
			live[tid] = true
			if !running(t) {
				continue
			}
			in := engine.ObservedInstance{ID: tid, Host: t.Host, StartedAt: parseTime(t.StartedAt),
				Healthy: healthy(t), Flags: s.facts[tid]}
			if len(t.Ports) > 0 {
				in.Port = t.Ports[0]
			}
			if in.Healthy {
				in.HealthCheckStatus = 200
			} else if check != nil && s.cfg.ProbeTimeout > 0 {
				u := healthURL(check.Protocol, t.Host, deref(check.Path, "/"), deref(check.PortIndex, 0), t.Ports)
				if u != "" {
					probes = append(probes, probeJob{service: id, index: len(o.Instances), url: u})
				}
			}
			o.Instances = append(o.Instances, in)
		}
		obs[id] = o
	}
	s.mu.Unlock()

	s.runProbes(ctx, obs, probes)

	s.mu.Lock()
	for _, app := range apps.Apps {
		id := strings.TrimPrefix(app.ID, "/")
		if o := obs[id]; o != nil {
			s.recordFailure(id, app.LastTaskFailure, live)
			o.Failed = slices.Clone(s.failed[id])
		}
	}
	for id := range s.failed {
		if obs[id] == nil {
			delete(s.failed, id)
		}
	}
	for tid := range s.facts {
		if !live[tid] {
			delete(s.facts, tid)
		}
	}
	s.mu.Unlock()

	s.realign(ctx, apps.Apps)
	out := make(map[string]engine.Observation, len(obs))
	for id, o := range obs {
		out[id] = *o
	}
	return out, nil
}

// probeJob is one instance to health-check: obs[service].Instances[index].
type probeJob struct {
	service string
	index   int
	url     string
}

// runProbes checks the instances concurrently (at most maxProbes at
// once) and applies the results: a 2xx makes an instance healthy, and
// the facts learnt are kept for when it fails.
func (s *Scheduler) runProbes(ctx context.Context, obs map[string]*engine.Observation, jobs []probeJob) {
	urls := make([]string, len(jobs))
	for i, j := range jobs {
		urls[i] = j.url
	}
	results := s.probe.CheckAll(ctx, urls, maxProbes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, j := range jobs {
		r := results[i]
		engine.ApplyRouterProbe(&obs[j.service].Instances[j.index],
			engine.RouterProbe{Healthy: r.Healthy(), Status: r.Status, Flags: r.Flags}, s.facts)
	}
}

// dropNullTasks takes out of apps the tasks an answer gave as null
// (go-marathon decodes them as nil): no task at all, not one to read.
// Marathon never sends one; a proxy in front of it might, and a nil
// task read here would take the router down.
func dropNullTasks(apps *gomarathon.Applications) {
	for i := range apps.Apps {
		apps.Apps[i].Tasks = slices.DeleteFunc(apps.Apps[i].Tasks, func(t *gomarathon.Task) bool { return t == nil })
	}
}

// running: Marathon 1.2+ says TASK_RUNNING; older ones have no state but
// a start time.
func running(t *gomarathon.Task) bool {
	if t.State != "" {
		return t.State == "TASK_RUNNING"
	}
	return t.StartedAt != ""
}

// healthy is Waiter's rule: some health results, all alive, none with
// consecutive failures.
func healthy(t *gomarathon.Task) bool {
	if len(t.HealthCheckResults) == 0 {
		return false
	}
	for _, r := range t.HealthCheckResults {
		if r == nil || !r.Alive || r.ConsecutiveFailures != 0 {
			return false
		}
	}
	return true
}

// firstCheck is the app's first HTTP(S) health check, the one Waiter
// defines; nil if it has none.
func firstCheck(app *gomarathon.Application) *gomarathon.HealthCheck {
	if app.HealthChecks == nil {
		return nil
	}
	for i := range *app.HealthChecks {
		hc := &(*app.HealthChecks)[i]
		switch hc.Protocol {
		case "", "HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS":
			return hc
		}
	}
	return nil
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
