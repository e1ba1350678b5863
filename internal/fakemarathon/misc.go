package fakemarathon

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func ping(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("pong\n"))
}

// info is GET /v2/info, shaped as Marathon 1.4's.
func (s *Server) info(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	leader := s.leader
	s.mu.Unlock()
	host, portStr, _ := strings.Cut(leader, ":")
	port, _ := strconv.Atoi(portStr)
	writeJSON(w, http.StatusOK, map[string]any{
		"name": "marathon", "version": "1.4.0", "buildref": "simulated", "elected": true, "leader": leader,
		"frameworkId": frameworkID, "event_subscriber": nil,
		"http_config": map[string]any{"assets_path": nil, "http_port": port, "https_port": 8443},
		"marathon_config": map[string]any{
			"checkpoint": true, "executor": "//cmd", "failover_timeout": 604800, "features": []string{},
			"framework_name": "marathon", "ha": false, "hostname": host,
			"leader_proxy_connection_timeout_ms": 5000, "leader_proxy_read_timeout_ms": 10000,
			"local_port_max": servicePortMax, "local_port_min": servicePortMin, "master": "local",
			"mesos_leader_ui_url": "", "mesos_role": nil, "mesos_user": "root", "webui_url": nil,
			"reconciliation_initial_delay": 15000, "reconciliation_interval": 600000,
			"task_launch_timeout": 300000, "task_reservation_timeout": 20000,
		},
		"zookeeper_config": map[string]any{
			"zk": "zk://localhost:2181/marathon", "zk_future_timeout": map[string]int{"duration": 10000},
			"zk_hosts": "localhost:2181", "zk_path": "/marathon", "zk_state": "/marathon",
			"zk_timeout": 10000, "zk_session_timeout": 10000, "zk_max_versions": 50,
		},
	})
}

// leaderInfo is GET and DELETE /v2/leader; abdicating changes nothing
// here: this Marathon is the only one.
func (s *Server) leaderInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		writeJSON(w, http.StatusOK, map[string]string{"message": "Leadership abdicated"})
		return
	}
	s.mu.Lock()
	leader := s.leader
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"leader": leader})
}

// queue is GET /v2/queue: apps with tasks still to launch, and their
// launch delay (backoff).
func (s *Server) queue(w http.ResponseWriter, _ *http.Request) {
	var out []map[string]any
	s.locked(func(now time.Duration) {
		out = []map[string]any{}
		for _, id := range s.model.AppIDs() {
			a := s.model.App(id)
			n := a.Instances - len(visible(a))
			if n <= 0 {
				continue
			}
			until, held := s.model.LaunchDelay(a)
			left := 0
			if held {
				left = int((until - now + time.Second - 1) / time.Second)
			}
			out = append(out, map[string]any{"count": n, "since": stamp(s.wall(now)),
				"delay":                  map[string]any{"overdue": !held, "timeLeftSeconds": left},
				"app":                    s.appJSON(s.apps[id], a, embeds{}),
				"processedOffersSummary": map[string]any{}, "lastUnusedOffers": []any{}})
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"queue": out})
}

// resetDelay is DELETE /v2/queue/{id}/delay: 204, or 404 when the app
// has nothing queued.
func (s *Server) resetDelay(w http.ResponseWriter, _ *http.Request, id string) {
	var e *apiError
	s.locked(func(now time.Duration) {
		a := s.model.App(id)
		if a == nil || a.Instances-len(visible(a)) <= 0 {
			e = notFound("Application /%s not found in tasks queue.", id)
			return
		}
		_ = s.model.ResetDelay(now, id)
	})
	if e != nil {
		writeError(w, e)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// groups is GET /v2/groups[/{id}]: the tree of groups the app ids make.
func (s *Server) groups(w http.ResponseWriter, _ *http.Request, id string) {
	var out map[string]any
	s.locked(func(time.Duration) { out = s.group(id) })
	if out == nil {
		writeError(w, notFound("Group '/%s' does not exist", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// group builds group id ("" is the root), or nil if no app lies in it.
// s.mu held.
func (s *Server) group(id string) map[string]any {
	prefix := ""
	if id != "" {
		prefix = id + "/"
	}
	apps := []map[string]any{}
	sub := map[string]bool{}
	version := s.start
	found := id == ""
	for _, aid := range s.model.AppIDs() {
		if !strings.HasPrefix(aid, prefix) {
			continue
		}
		found = true
		m := s.apps[aid]
		if m.version.After(version) {
			version = m.version
		}
		rest := strings.TrimPrefix(aid, prefix)
		if g, _, nested := strings.Cut(rest, "/"); nested {
			sub[prefix+g] = true
			continue
		}
		apps = append(apps, s.appJSON(m, s.model.App(aid), embeds{}))
	}
	if !found {
		return nil
	}
	names := make([]string, 0, len(sub))
	for g := range sub {
		names = append(names, g)
	}
	sort.Strings(names)
	groups := []map[string]any{}
	for _, g := range names {
		groups = append(groups, s.group(g))
	}
	return map[string]any{"id": "/" + id, "apps": apps, "groups": groups, "dependencies": []string{},
		"pods": []any{}, "version": stamp(version)}
}

// eventSubscriptions answers as a Marathon without the http_callback
// event subscriber: clients must use the event stream.
func eventSubscriptions(w http.ResponseWriter, _ *http.Request) {
	writeError(w, badRequest("http event callback system is not running on this Marathon instance. "+
		"Please re-start this instance with \"--event_subscriber http_callback\"."))
}
