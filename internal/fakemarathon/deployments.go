package fakemarathon

import (
	"net/http"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// deployMeta describes a running deployment for /v2/deployments; the
// model only knows its id and the app it locks.
type deployMeta struct {
	id      string
	app     string
	version time.Time
	steps   []string // one action per step: StartApplication, ScaleApplication, ...
	// original is the instance count before the change, for a rollback;
	// -1 when the deployment created the app.
	original int
}

// noteDeployment records the deployment the model just started for a,
// if any. s.mu held.
func (s *Server) noteDeployment(a *marathon.App, version time.Time, original int, steps ...string) {
	if a.Deployment == "" {
		return
	}
	s.deployments[a.Deployment] = &deployMeta{id: a.Deployment, app: a.Spec.ID, version: version, steps: steps, original: original}
}

// running lists the running deployments, by app id. s.mu held.
func (s *Server) running() []*deployMeta {
	var out []*deployMeta
	for _, id := range s.model.AppIDs() {
		a := s.model.App(id)
		if a.Deployment == "" {
			continue
		}
		d := s.deployments[a.Deployment]
		if d == nil { // started by a fault (HoldDeployment)
			d = &deployMeta{id: a.Deployment, app: id, version: s.apps[id].version, steps: []string{"ScaleApplication"}, original: a.Instances}
			s.deployments[a.Deployment] = d
		}
		out = append(out, d)
	}
	return out
}

// deploymentJSON is a deployment as Marathon 1.4 writes it
// (DeploymentStepInfoWrites): every step done but the last, which runs.
func deploymentJSON(d *deployMeta) map[string]any {
	app := "/" + d.app
	steps := make([]map[string]any, len(d.steps))
	for i, a := range d.steps {
		steps[i] = map[string]any{"actions": []map[string]string{{"action": a, "app": app}}}
	}
	current := []map[string]any{{"action": d.steps[len(d.steps)-1], "app": app, "readinessCheckResults": []any{}}}
	return map[string]any{"id": d.id, "version": stamp(d.version), "affectedApps": []string{app}, "affectedPods": []string{},
		"steps": steps, "currentActions": current, "currentStep": len(d.steps), "totalSteps": len(d.steps)}
}

func (s *Server) listDeployments(w http.ResponseWriter, _ *http.Request) {
	var out []map[string]any
	s.locked(func(time.Duration) {
		out = []map[string]any{}
		for _, d := range s.running() {
			out = append(out, deploymentJSON(d))
		}
	})
	writeJSON(w, http.StatusOK, out)
}

// deleteDeployment cancels a deployment: with force it just ends (202,
// no body); without, Marathon starts a rollback deployment that reverts
// the change, here a scale back to the original count (or a delete of an
// app the deployment created).
func (s *Server) deleteDeployment(w http.ResponseWriter, r *http.Request, id string) {
	force := flag(r, "force")
	var e *apiError
	var newID string
	var version time.Time
	s.locked(func(now time.Duration) {
		var d *deployMeta
		for _, x := range s.running() {
			if x.id == id {
				d = x
			}
		}
		if d == nil {
			e = notFound("DeploymentPlan %s does not exist", id)
			return
		}
		s.model.CancelDeployment(now, id)
		s.canceled[id] = true
		if force {
			return
		}
		m, a := s.apps[d.app], s.model.App(d.app)
		version = s.nextVersion()
		if d.original < 0 {
			_ = s.model.DeleteApp(now, d.app)
			delete(s.apps, d.app)
			newID = newUUID()
			return
		}
		_ = s.model.ScaleApp(now, d.app, d.original, true)
		def := m.def
		def.Instances = d.original
		m.record(def, version, s.model.Now(), false)
		s.noteDeployment(a, version, a.Instances, "ScaleApplication")
		newID = a.Deployment
	})
	switch {
	case e != nil:
		writeError(w, e)
	case force:
		w.WriteHeader(http.StatusAccepted)
	default:
		deploymentResult(w, http.StatusOK, newID, version)
	}
}
