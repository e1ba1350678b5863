package fakemarathon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// faultState is what the injected faults hold. Guarded by Server.mu.
type faultState struct {
	// unavailableUntil: every API request answers 503 until then.
	unavailableUntil time.Time
	// refuse holds the statuses the next change requests get, in order.
	refuse []int
}

// Unavailable makes every API request (/ping included) answer 503 for d,
// as a Marathon without a leader does. go-marathon then marks the host
// down and polls /ping every 5 s until it answers 200 again.
func (s *Server) Unavailable(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.unavailableUntil = time.Now().Add(d)
}

// RefuseNext answers the next n change requests (POST, PUT and DELETE
// under /v2/) with status instead of carrying them out. A 409 comes as a
// deployment lock, with a deployments array, whatever the force flag.
func (s *Server) RefuseNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults.refuse = append(s.faults.refuse, status)
	}
}

// HoldDeployment starts a deployment of app id (with or without the
// leading slash) that lasts at least d: changes without force get 409
// meanwhile. It returns the deployment id.
func (s *Server) HoldDeployment(id string, d time.Duration) (string, error) {
	var dep string
	var err error
	s.locked(func(now time.Duration) {
		dep, err = s.model.HoldDeployment(now, appID(id), d)
	})
	if err != nil {
		return "", fmt.Errorf("fakemarathon: hold deployment: %w", err)
	}
	return dep, nil
}

// SlowDeployments makes every deployment started from now on last at
// least d (0 turns it off).
func (s *Server) SlowDeployments(d time.Duration) {
	s.locked(func(time.Duration) { s.model.SetMinDeploymentTime(d) })
}

// FailTask ends a task as if its command exited with exitCode: its
// process is stopped, lastTaskFailure says "Command exited with status
// N" and Marathon relaunches it after the launch backoff.
func (s *Server) FailTask(taskID string, exitCode int) error {
	var err error
	s.locked(func(now time.Duration) {
		err = s.model.FailTask(now, taskID, marathon.ExitFailure(exitCode, 0, ""))
	})
	if err != nil {
		return fmt.Errorf("fakemarathon: fail task: %w", err)
	}
	return nil
}

// SetLaunchFactor multiplies launch latencies from now on (1 = normal).
func (s *Server) SetLaunchFactor(f float64) {
	s.locked(func(time.Duration) { s.model.SetLaunchFactor(f) })
}

// gate answers a request with the fault it meets, or returns nil.
func (s *Server) gate(r *http.Request, path string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(s.faults.unavailableUntil) {
		return &apiError{status: http.StatusServiceUnavailable, msg: "Marathon is unavailable: no leader (simulated outage)"}
	}
	change := r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodDelete
	if !change || !strings.HasPrefix(path, "/v2/") || len(s.faults.refuse) == 0 {
		return nil
	}
	status := s.faults.refuse[0]
	s.faults.refuse = s.faults.refuse[1:]
	if status == http.StatusConflict {
		return locked("fault-" + newUUID())
	}
	return &apiError{status: status, msg: fmt.Sprintf("refused by an injected fault (%d)", status)}
}

// faultRequest is the body of POST /_sim/faults; every field is optional.
type faultRequest struct {
	UnavailableFor  string `json:"unavailableFor"`
	SlowDeployments string `json:"slowDeployments"`
	Refuse          *struct {
		Count  int `json:"count"`
		Status int `json:"status"`
	} `json:"refuse"`
	Hold *struct {
		App string `json:"app"`
		For string `json:"for"`
	} `json:"hold"`
	FailTask *struct {
		ID       string `json:"id"`
		ExitCode int    `json:"exitCode"`
	} `json:"failTask"`
	LaunchFactor float64 `json:"launchFactor"`
}

// serveAdmin serves POST /_sim/faults, the HTTP face of the fault methods,
// e.g. {"unavailableFor": "2s"} or {"hold": {"app": "/x", "for": "1m"}}.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, path string) {
	if path != "faults" || r.Method != http.MethodPost {
		writeError(w, notFound("Resource %s %s is not served by the simulated Marathon", r.Method, r.URL.Path))
		return
	}
	b, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	var f faultRequest
	if err := json.Unmarshal(b, &f); err != nil {
		writeError(w, badRequest("Invalid JSON: %v", err))
		return
	}
	dur := func(field, v string) (time.Duration, bool) {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			writeError(w, badRequest("%s: %q is not a duration such as \"2s\"", field, v))
			return 0, false
		}
		return d, true
	}
	out := map[string]any{"message": "ok"}
	if f.UnavailableFor != "" {
		d, ok := dur("unavailableFor", f.UnavailableFor)
		if !ok {
			return
		}
		s.Unavailable(d)
	}
	if f.SlowDeployments != "" {
		d, ok := dur("slowDeployments", f.SlowDeployments)
		if !ok {
			return
		}
		s.SlowDeployments(d)
	}
	if f.Refuse != nil {
		if f.Refuse.Status < 400 || f.Refuse.Status > 599 || f.Refuse.Count < 1 {
			writeError(w, badRequest("refuse: want count >= 1 and a status of 400-599"))
			return
		}
		s.RefuseNext(f.Refuse.Count, f.Refuse.Status)
	}
	if f.Hold != nil {
		d, ok := dur("hold.for", f.Hold.For)
		if !ok {
			return
		}
		dep, err := s.HoldDeployment(f.Hold.App, d)
		if err != nil {
			writeError(w, notFound("App '/%s' does not exist", appID(f.Hold.App)))
			return
		}
		out["deploymentId"] = dep
	}
	if f.FailTask != nil {
		if err := s.FailTask(f.FailTask.ID, f.FailTask.ExitCode); err != nil {
			writeError(w, notFound("Task '%s' does not exist", f.FailTask.ID))
			return
		}
	}
	if f.LaunchFactor > 0 {
		s.SetLaunchFactor(f.LaunchFactor)
	}
	writeJSON(w, http.StatusOK, out)
}
