package fakemarathon

import (
	"net/http"
	"strings"
)

// ServeHTTP dispatches Marathon's REST API. Paths under /marathon/ (how
// DC/OS proxies Marathon, go-marathon's DCOSToken mode) are served too.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/marathon")
	if strings.HasPrefix(path, "/_sim/") {
		s.serveAdmin(w, r, strings.TrimPrefix(path, "/_sim/"))
		return
	}
	if e := s.gate(r, path); e != nil {
		writeError(w, e)
		return
	}
	m := r.Method
	switch {
	case path == "/ping":
		ping(w, r)
	case path == "/v2/info" && m == http.MethodGet:
		s.info(w, r)
	case path == "/v2/leader" && (m == http.MethodGet || m == http.MethodDelete):
		s.leaderInfo(w, r)
	case path == "/v2/apps" || path == "/v2/apps/":
		switch m {
		case http.MethodGet:
			s.listApps(w, r)
		case http.MethodPost:
			s.createApp(w, r)
		default:
			notAllowed(w)
		}
	case strings.HasPrefix(path, "/v2/apps/"):
		s.serveApp(w, r, strings.TrimPrefix(path, "/v2/apps/"))
	case path == "/v2/tasks" && m == http.MethodGet:
		s.allTasks(w, r)
	case path == "/v2/tasks/delete" && m == http.MethodPost:
		s.deleteTasks(w, r)
	case path == "/v2/deployments" && m == http.MethodGet:
		s.listDeployments(w, r)
	case strings.HasPrefix(path, "/v2/deployments/") && m == http.MethodDelete:
		s.deleteDeployment(w, r, strings.TrimPrefix(path, "/v2/deployments/"))
	case path == "/v2/events" && m == http.MethodGet:
		s.streamEvents(w, r)
	case path == "/v2/eventSubscriptions":
		eventSubscriptions(w, r)
	case path == "/v2/queue" && m == http.MethodGet:
		s.queue(w, r)
	case strings.HasPrefix(path, "/v2/queue/") && strings.HasSuffix(path, "/delay") && m == http.MethodDelete:
		s.resetDelay(w, r, appID(strings.TrimSuffix(strings.TrimPrefix(path, "/v2/queue/"), "/delay")))
	case (path == "/v2/groups" || strings.HasPrefix(path, "/v2/groups/")) && m == http.MethodGet:
		s.groups(w, r, appID(strings.TrimPrefix(path, "/v2/groups")))
	default:
		writeError(w, notFound("Resource %s %s is not served by the simulated Marathon", m, r.URL.Path))
	}
}

// serveApp dispatches /v2/apps/{id}[/restart|/tasks[/{task}]|/versions[/{v}]].
// App ids hold slashes, so the suffixes are found from the right.
func (s *Server) serveApp(w http.ResponseWriter, r *http.Request, rest string) {
	m := r.Method
	if i := strings.LastIndex(rest, "/tasks/"); i >= 0 {
		if m != http.MethodDelete {
			notAllowed(w)
			return
		}
		s.killTask(w, r, appID(rest[:i]), rest[i+len("/tasks/"):])
		return
	}
	if id, ok := strings.CutSuffix(rest, "/tasks"); ok {
		switch m {
		case http.MethodGet:
			s.appTasks(w, r, appID(id))
		case http.MethodDelete:
			s.killAppTasks(w, r, appID(id))
		default:
			notAllowed(w)
		}
		return
	}
	if id, ok := strings.CutSuffix(rest, "/restart"); ok {
		if m != http.MethodPost {
			notAllowed(w)
			return
		}
		s.restartApp(w, r, appID(id))
		return
	}
	if i := strings.LastIndex(rest, "/versions/"); i >= 0 && m == http.MethodGet {
		s.appVersion(w, r, appID(rest[:i]), rest[i+len("/versions/"):])
		return
	}
	if id, ok := strings.CutSuffix(rest, "/versions"); ok && m == http.MethodGet {
		s.appVersions(w, r, appID(id))
		return
	}
	id := appID(rest)
	switch m {
	case http.MethodGet:
		s.getApp(w, r, id)
	case http.MethodPut:
		s.putApp(w, r, id)
	case http.MethodDelete:
		s.deleteApp(w, r, id)
	default:
		notAllowed(w)
	}
}

func notAllowed(w http.ResponseWriter) {
	writeError(w, &apiError{status: http.StatusMethodNotAllowed, msg: "HTTP 405 Method Not Allowed"})
}
