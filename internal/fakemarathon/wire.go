package fakemarathon

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// maxVersions bounds each app's version history.
const maxVersions = 50

// appMeta is what the API keeps of an app beyond the model: its
// definition and versions.
type appMeta struct {
	def                appDef
	version            time.Time
	lastScalingAt      time.Time
	lastConfigChangeAt time.Time
	// scaledAt and configChangedAt are the same instants in model time:
	// taskStats compares them with the tasks' model start times, because
	// versions are bumped to stay unique and can run ahead of the clock.
	scaledAt        time.Duration
	configChangedAt time.Duration
	versions        []appVersion // oldest first
}

type appVersion struct {
	at  time.Time
	def appDef
}

// stamp formats a time as Marathon does: ISO-8601 UTC with milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// nextVersion is a new, strictly increasing version time. s.mu held.
func (s *Server) nextVersion() time.Time {
	v := s.wall(s.now()).Truncate(time.Millisecond)
	if !v.After(s.lastVersion) {
		v = s.lastVersion.Add(time.Millisecond)
	}
	s.lastVersion = v
	return v
}

// record stores def as the app's new version; config tells a config
// change from a scale. s.mu held.
func (m *appMeta) record(def appDef, at time.Time, modelAt time.Duration, config bool) {
	m.def, m.version, m.lastScalingAt, m.scaledAt = def, at, at, modelAt
	if config {
		m.lastConfigChangeAt, m.configChangedAt = at, modelAt
	}
	m.versions = append(m.versions, appVersion{at: at, def: def})
	if len(m.versions) > maxVersions {
		m.versions = m.versions[len(m.versions)-maxVersions:]
	}
}

// embeds says what an app answer includes besides its definition.
type embeds struct {
	counts, deployments, tasks, lastFailure, taskStats, readiness bool
}

// embedsOf reads ?embed=apps.tasks&embed=... (prefix "apps." for the
// list, "app." for one app); unknown values are ignored, as Marathon does.
func embedsOf(r *http.Request, prefix string, e embeds) embeds {
	for _, v := range r.URL.Query()["embed"] {
		switch strings.TrimPrefix(v, prefix) {
		case "tasks":
			e.tasks, e.deployments = true, true
		case "counts":
			e.counts = true
		case "deployments":
			e.deployments = true
		case "lastTaskFailure":
			e.lastFailure = true
		case "taskStats":
			e.taskStats = true
		case "readiness":
			e.readiness = true
		case "failures": // Marathon's old name for lastTaskFailure with tasks
			e.lastFailure, e.tasks = true, true
		}
	}
	return e
}

// appJSON is an app as Marathon writes it with the given embeds. s.mu held.
func (s *Server) appJSON(m *appMeta, a *marathon.App, e embeds) map[string]any {
	out := defJSON(m.def)
	out["version"] = stamp(m.version)
	out["versionInfo"] = map[string]string{"lastScalingAt": stamp(m.lastScalingAt), "lastConfigChangeAt": stamp(m.lastConfigChangeAt)}
	if e.counts {
		var staged, running, healthy, unhealthy int
		for _, t := range visible(a) {
			switch t.State {
			case marathon.TaskStaging:
				staged++
			case marathon.TaskRunning:
				running++
			}
			if t.HealthChecked && len(m.def.HealthChecks) > 0 {
				if t.Alive {
					healthy++
				} else {
					unhealthy++
				}
			}
		}
		out["tasksStaged"], out["tasksRunning"], out["tasksHealthy"], out["tasksUnhealthy"] = staged, running, healthy, unhealthy
	}
	if e.deployments {
		ds := []map[string]string{}
		if a.Deployment != "" {
			ds = append(ds, map[string]string{"id": a.Deployment})
		}
		out["deployments"] = ds
	}
	if e.readiness {
		out["readinessCheckResults"] = []any{}
	}
	if e.tasks {
		ts := []map[string]any{}
		for _, t := range visible(a) {
			ts = append(ts, s.taskJSON(m, t))
		}
		out["tasks"] = ts
	}
	if f, ok := a.LastTaskFailure(); ok && e.lastFailure {
		out["lastTaskFailure"] = s.failureJSON(m, a, f)
	}
	if e.taskStats {
		if st := s.taskStats(m, a); len(st) > 0 {
			out["taskStats"] = st
		}
	}
	return out
}

// defJSON writes a definition as a map, so embeds can be added.
func defJSON(d appDef) map[string]any {
	b, _ := json.Marshal(d) // appDef always encodes
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	out := make(map[string]any, len(m)+12)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// visible lists the tasks Marathon would: launched ones. A task still
// waiting for an agent with room is in Marathon's launch queue, not a task.
func visible(a *marathon.App) []*marathon.Task {
	out := make([]*marathon.Task, 0, len(a.Tasks))
	for _, t := range a.Tasks {
		if t.State != marathon.TaskWaiting {
			out = append(out, t)
		}
	}
	return out
}

// taskJSON is a task as Marathon 1.4's EnrichedTaskWrites writes it.
// Health results carry both instanceId (1.4) and taskId (1.3, what
// go-marathon v0.7.1 decodes). s.mu held.
func (s *Server) taskJSON(m *appMeta, t *marathon.Task) map[string]any {
	out := map[string]any{
		"id": t.ID, "appId": "/" + t.AppID, "slaveId": t.AgentID, "host": t.Host, "state": string(t.State),
		"stagedAt": stamp(s.wall(t.StagedAt)), "ports": orEmpty(t.Ports), "version": t.Version,
		"ipAddresses": []map[string]string{{"ipAddress": t.Host, "protocol": "IPv4"}},
	}
	if t.State == marathon.TaskRunning {
		out["startedAt"] = stamp(s.wall(t.StartedAt))
	}
	if len(m.def.Ports) > 0 {
		out["servicePorts"] = m.def.Ports
	}
	if t.HealthChecked && len(m.def.HealthChecks) > 0 {
		h := s.model.HealthOf(t)
		at := func(ok bool, d time.Duration) any {
			if !ok {
				return nil
			}
			return stamp(s.wall(d))
		}
		res := map[string]any{"alive": t.Alive, "consecutiveFailures": t.ConsecutiveFailures(),
			"firstSuccess": at(h.HasSuccess, h.FirstSuccess), "lastSuccess": at(h.HasSuccess, h.LastSuccess),
			"lastFailure": at(h.HasFailure, h.LastFailure), "instanceId": t.ID, "taskId": t.ID}
		if h.HasFailure && h.LastFailureCause != "" {
			res["lastFailureCause"] = h.LastFailureCause
		}
		out["healthCheckResults"] = []any{res}
	}
	return out
}

func orEmpty(p []int) []int {
	if p == nil {
		return []int{}
	}
	return p
}

// failureJSON is an app's lastTaskFailure. s.mu held.
func (s *Server) failureJSON(m *appMeta, a *marathon.App, f marathon.Failure) map[string]any {
	state := "TASK_FAILED"
	switch {
	case f.NeverPassedHealthChecks || strings.Contains(f.Message, "health check"):
		state = "TASK_KILLED"
	case f.Message == "Agent lost":
		state = "TASK_LOST"
	}
	slave := ""
	for _, ag := range s.model.Agents() {
		if ag.Host == f.Host {
			slave = ag.ID
		}
	}
	return map[string]any{"appId": "/" + a.Spec.ID, "host": f.Host, "message": f.Message, "state": state,
		"taskId": f.TaskID, "timestamp": stamp(s.wall(f.At)), "version": stamp(m.version), "slaveId": slave}
}

// taskStats is Marathon's taskStats embed: counts and life times of the
// tasks started after the last scaling, of those with the latest config
// and of all. Groups without tasks are left out. s.mu held.
func (s *Server) taskStats(m *appMeta, a *marathon.App) map[string]any {
	now := s.now()
	group := func(keep func(t *marathon.Task) bool) map[string]any {
		counts := map[string]int{"staged": 0, "running": 0, "healthy": 0, "unhealthy": 0}
		var life []float64
		for _, t := range visible(a) {
			if !keep(t) {
				continue
			}
			if t.State == marathon.TaskStaging {
				counts["staged"]++
				continue
			}
			counts["running"]++
			if t.HealthChecked {
				if t.Alive {
					counts["healthy"]++
				} else {
					counts["unhealthy"]++
				}
			}
			life = append(life, (now - t.StartedAt).Seconds())
		}
		if counts["staged"]+counts["running"] == 0 {
			return nil
		}
		stats := map[string]any{"counts": counts}
		if len(life) > 0 {
			slices.Sort(life)
			sum := 0.0
			for _, l := range life {
				sum += l
			}
			med := life[len(life)/2]
			if len(life)%2 == 0 {
				med = (life[len(life)/2-1] + life[len(life)/2]) / 2
			}
			stats["lifeTime"] = map[string]float64{"averageSeconds": sum / float64(len(life)), "medianSeconds": med}
		}
		return map[string]any{"stats": stats}
	}
	after := func(at time.Duration) func(*marathon.Task) bool {
		return func(t *marathon.Task) bool { return t.StagedAt >= at }
	}
	out := map[string]any{}
	for name, keep := range map[string]func(*marathon.Task) bool{
		"startedAfterLastScaling": after(m.scaledAt),
		"withLatestConfig":        after(m.configChangedAt),
		"withOutdatedConfig":      func(t *marathon.Task) bool { return !after(m.configChangedAt)(t) },
		"totalSummary":            func(*marathon.Task) bool { return true },
	} {
		if g := group(keep); g != nil {
			out[name] = g
		}
	}
	return out
}

// deploymentResult answers a change with its deployment (RestResource's
// deploymentResult): the id in the body and the Marathon-Deployment-Id header.
func deploymentResult(w http.ResponseWriter, status int, id string, version time.Time) {
	w.Header().Set("Marathon-Deployment-Id", id)
	writeJSON(w, status, map[string]string{"deploymentId": id, "version": stamp(version)})
}
