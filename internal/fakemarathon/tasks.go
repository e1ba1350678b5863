package fakemarathon

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// appTasks is GET /v2/apps/{id}/tasks.
func (s *Server) appTasks(w http.ResponseWriter, _ *http.Request, id string) {
	var out []map[string]any
	s.locked(func(time.Duration) {
		if m := s.apps[id]; m != nil {
			out = []map[string]any{}
			for _, t := range visible(s.model.App(id)) {
				out = append(out, s.taskJSON(m, t))
			}
		}
	})
	if out == nil {
		writeError(w, appNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
}

// allTasks is GET /v2/tasks[?status=running|staging].
func (s *Server) allTasks(w http.ResponseWriter, r *http.Request) {
	want := map[string]marathon.TaskState{"running": marathon.TaskRunning, "staging": marathon.TaskStaging}[r.URL.Query().Get("status")]
	var out []map[string]any
	s.locked(func(time.Duration) {
		out = []map[string]any{}
		for _, id := range s.model.AppIDs() {
			for _, t := range visible(s.model.App(id)) {
				if want == "" || t.State == want {
					out = append(out, s.taskJSON(s.apps[id], t))
				}
			}
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
}

// killOpts are the query options of the kill endpoints.
type killOpts struct{ scale, force bool }

func killOptions(r *http.Request) (killOpts, *apiError) {
	o := killOpts{scale: flag(r, "scale"), force: flag(r, "force")}
	if o.scale && flag(r, "wipe") {
		return o, badRequest("You cannot use scale and wipe at the same time.")
	}
	return o, nil
}

// kill kills tasks of app id. With scale the instance count drops by the
// number killed, in a deployment that obeys the app's lock unless force;
// it returns that deployment's id. Without, Marathon replaces them.
// The tasks' JSON from before the kill is returned. s.mu held.
func (s *Server) kill(now time.Duration, id string, ts []*marathon.Task, o killOpts) ([]map[string]any, string, time.Time, *apiError) {
	a, m := s.model.App(id), s.apps[id]
	if o.scale && a.Deployment != "" && !o.force {
		return nil, "", time.Time{}, locked(a.Deployment)
	}
	if o.scale && a.Deployment != "" {
		s.canceled[a.Deployment] = true
	}
	out := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		out = append(out, s.taskJSON(m, t))
		// The lock was checked above, for all the tasks at once.
		_ = s.model.KillTask(now, id, t.ID, o.scale, true)
	}
	if !o.scale {
		return out, "", time.Time{}, nil
	}
	version := s.nextVersion()
	def := m.def
	def.Instances = a.Instances
	m.record(def, version, s.model.Now(), false)
	// Marathon's kill-and-scale deployment ends with the kill: it is
	// never listed, but the answer names it.
	return out, newUUID(), version, nil
}

// killAppTasks is DELETE /v2/apps/{id}/tasks[?host=h&scale&force]; host
// "*" or absent means every host.
func (s *Server) killAppTasks(w http.ResponseWriter, r *http.Request, id string) {
	o, e := killOptions(r)
	if e != nil {
		writeError(w, e)
		return
	}
	host := r.URL.Query().Get("host")
	var out []map[string]any
	var depID string
	var version time.Time
	s.locked(func(now time.Duration) {
		a := s.model.App(id)
		if a == nil {
			e = appNotFound(id)
			return
		}
		var ts []*marathon.Task
		for _, t := range visible(a) {
			if host == "" || host == "*" || t.Host == host {
				ts = append(ts, t)
			}
		}
		out, depID, version, e = s.kill(now, id, ts, o)
	})
	switch {
	case e != nil:
		writeError(w, e)
	case o.scale:
		deploymentResult(w, http.StatusOK, depID, version)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
	}
}

// killTask is DELETE /v2/apps/{id}/tasks/{task}[?scale&force]. Without
// scale it answers {"task": ...} (as Marathon 1.3 and 1.6+ do; 1.4 wrote
// its internal instance instead); with scale, the deployment.
func (s *Server) killTask(w http.ResponseWriter, r *http.Request, id, taskID string) {
	o, e := killOptions(r)
	if e != nil {
		writeError(w, e)
		return
	}
	var out []map[string]any
	var depID string
	var version time.Time
	s.locked(func(now time.Duration) {
		a := s.model.App(id)
		if a == nil {
			e = appNotFound(id)
			return
		}
		t := s.model.Task(taskID)
		if t == nil || t.AppID != id || t.State == marathon.TaskWaiting {
			e = notFound("Task '%s' does not exist", taskID)
			return
		}
		out, depID, version, e = s.kill(now, id, []*marathon.Task{t}, o)
	})
	switch {
	case e != nil:
		writeError(w, e)
	case o.scale:
		deploymentResult(w, http.StatusOK, depID, version)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"task": out[0]})
	}
}

// deleteTasks is POST /v2/tasks/delete[?scale&force] with {"ids": [...]}:
// malformed ids are a 400, unknown ones are ignored.
func (s *Server) deleteTasks(w http.ResponseWriter, r *http.Request) {
	o, e := killOptions(r)
	if e != nil {
		writeError(w, e)
		return
	}
	b, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	var body struct {
		IDs []string `json:"ids"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		writeError(w, badRequest("Invalid JSON: %v", err))
		return
	}
	for _, id := range body.IDs {
		if i := strings.LastIndex(id, "."); i <= 0 || i == len(id)-1 {
			writeError(w, badRequest("Invalid task id '%s'. [%s]", id, id))
			return
		}
	}
	var out []map[string]any
	var depID string
	var version time.Time
	s.locked(func(now time.Duration) {
		byApp := map[string][]*marathon.Task{}
		var order []string
		for _, tid := range body.IDs {
			t := s.model.Task(tid)
			if t == nil || t.State == marathon.TaskWaiting {
				continue
			}
			if byApp[t.AppID] == nil {
				order = append(order, t.AppID)
			}
			byApp[t.AppID] = append(byApp[t.AppID], t)
		}
		if o.scale && !o.force {
			for _, id := range order {
				if d := s.model.App(id).Deployment; d != "" {
					e = locked(d)
					return
				}
			}
		}
		out = []map[string]any{}
		for _, id := range order {
			killed, dep, v, _ := s.kill(now, id, byApp[id], killOpts{scale: o.scale, force: true})
			out = append(out, killed...)
			depID, version = dep, v
		}
		if depID == "" {
			depID, version = newUUID(), s.nextVersion()
		}
	})
	switch {
	case e != nil:
		writeError(w, e)
	case o.scale:
		deploymentResult(w, http.StatusOK, depID, version)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"tasks": out})
	}
}
