package marathon

import (
	"fmt"
	"time"
)

// This file holds the operations Marathon's REST API offers beyond what
// the simulator's router uses, and the faults a test server injects.

// SetMinDeploymentTime makes every deployment started from now on last
// at least d, even when its tasks are running and healthy earlier (a
// slow-deployment fault; 0 turns it off).
func (m *Model) SetMinDeploymentTime(d time.Duration) { m.minDeploy = max(d, 0) }

// HoldDeployment starts a deployment of app id that lasts at least d, so
// that changes that are not forced get ErrLocked meanwhile. It returns
// the deployment's id.
func (m *Model) HoldDeployment(now time.Duration, id string, d time.Duration) (string, error) {
	m.at(now)
	a := m.apps[id]
	if a == nil {
		return "", fmt.Errorf("hold deployment of %s: %w", id, ErrAppNotFound)
	}
	m.startDeployment(a)
	m.holdDeployment(a, d)
	return a.Deployment, nil
}

// RestartApp replaces every task of app id (Marathon's restart, and any
// change of an app's definition other than its instance count). spec,
// when not nil, becomes the app's definition, instances included. A
// running deployment refuses it unless force. The replacement is not
// rolling: old tasks are killed at once and new ones launched.
func (m *Model) RestartApp(now time.Duration, id string, spec *AppSpec, force bool) error {
	m.at(now)
	a := m.apps[id]
	if a == nil {
		return fmt.Errorf("restart %s: %w", id, ErrAppNotFound)
	}
	if a.Deployment != "" && !force {
		return fmt.Errorf("restart %s (deployment %s): %w", id, a.Deployment, ErrLocked)
	}
	if spec != nil {
		if spec.CPUs <= 0 || spec.MemMB <= 0 || spec.Instances < 0 {
			return fmt.Errorf("restart %q: %w: cpus > 0 and mem > 0 are required", id, ErrInvalid)
		}
		s := *spec
		s.ID = id
		if s.BackoffFactor < 1 {
			s.BackoffFactor = 1.15
		}
		s.Ports = max(s.Ports, 1)
		a.Spec, a.Instances = s, s.Instances
		a.rev++
	}
	a.backoff, a.backoffUntil = 0, 0 // an upgrade starts without launch delay
	for len(a.Tasks) > 0 {
		m.endTask(a, a.Tasks[0], nil)
	}
	m.startDeployment(a)
	m.reconcile(a)
	return nil
}

// LaunchDelay returns until when a's launches are held back by backoff,
// and whether they are (Marathon's launch queue delay).
func (m *Model) LaunchDelay(a *App) (time.Duration, bool) {
	return a.backoffUntil, a.backoffUntil > m.now
}

// ResetDelay drops a's launch backoff (DELETE /v2/queue/{id}/delay).
func (m *Model) ResetDelay(now time.Duration, id string) error {
	m.at(now)
	a := m.apps[id]
	if a == nil {
		return fmt.Errorf("reset delay of %s: %w", id, ErrAppNotFound)
	}
	a.backoff, a.backoffUntil = 0, 0
	m.reconcile(a)
	return nil
}
