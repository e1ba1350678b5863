package router

import (
	"sort"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/engine"
)

// svcMirror is the driver's record of one service: what it told the
// engine and the scheduler, what the scheduler last said, and the requests
// it is tracking. It lives on the driver goroutine only.
type svcMirror struct {
	id   string
	desc *engine.Description

	observed  bool
	obs       engine.Observation
	instances map[string]*instMirror
	killed    []engine.ObservedInstance

	waiting, inflight int
	total             uint64
	lastRequest       time.Time
	suspended         bool
	deploymentError   string

	requested    int
	scaling      string
	scalingAt    time.Time
	pendingOps   int
	existed      bool   // the scheduler created or reported the service
	createdAtSeq uint64 // poll sequence number when its create succeeded
}

// instMirror is one instance as last observed, with this router's
// requests on it. A request keeps its *instMirror even after the instance
// disappears from observations, so releasing it stays exact.
type instMirror struct {
	obs      engine.ObservedInstance
	inflight int
}

func newMirror(d *engine.Description) *svcMirror {
	return &svcMirror{id: d.ID, desc: d, instances: map[string]*instMirror{}, scaling: "stable"}
}

// observe replaces the scheduler's view, keeping per-instance counts.
func (m *svcMirror) observe(o engine.Observation) {
	m.observed, m.obs = true, o
	if o.Exists {
		m.existed = true
	}
	next := make(map[string]*instMirror, len(o.Instances))
	healthy := false
	for _, oi := range o.Instances {
		im := m.instances[oi.ID]
		if im == nil {
			im = &instMirror{}
		}
		im.obs = oi
		next[oi.ID] = im
		healthy = healthy || oi.Healthy
	}
	m.instances = next
	if healthy {
		m.deploymentError = "" // the engine has no deployment error while an instance is healthy
	}
}

// forget drops the scheduler's view after the scheduler lost the service.
func (m *svcMirror) forget() {
	m.observed, m.existed = false, false
	m.obs = engine.Observation{}
	m.instances = map[string]*instMirror{}
}

func (m *svcMirror) rememberKilled(id string) {
	im := m.instances[id]
	if im == nil {
		return
	}
	m.killed = append(m.killed, im.obs)
	if len(m.killed) > maxRemembered {
		m.killed = m.killed[len(m.killed)-maxRemembered:]
	}
}

func (m *svcMirror) setScaling(state string, now time.Time) {
	m.scaling, m.scalingAt = state, now
}

// snapshot copies the mirror for the HTTP API. A scaling direction older
// than a few scaling intervals is reported as stable: the engine only
// speaks when it acts.
func (m *svcMirror) snapshot(now time.Time, scalingInterval time.Duration) waiterhttp.ServiceSnapshot {
	s := waiterhttp.ServiceSnapshot{
		ID: m.id, Description: m.desc, Observed: m.observed,
		Requested: m.requested, Scheduled: m.obs.Scheduled,
		Waiting: m.waiting, InFlight: m.inflight, TotalRequests: m.total,
		LastRequestTime: m.lastRequest, Suspended: m.suspended,
		DeploymentError: m.deploymentError, ScalingState: m.scaling,
	}
	if m.observed && m.obs.Exists {
		s.Requested = m.obs.Requested
	}
	if now.Sub(m.scalingAt) > 3*scalingInterval {
		s.ScalingState = "stable"
	}
	for _, im := range m.instances {
		s.Instances = append(s.Instances, waiterhttp.InstanceSnapshot{ObservedInstance: im.obs, InFlight: im.inflight})
	}
	sort.Slice(s.Instances, func(i, j int) bool {
		a, b := s.Instances[i], s.Instances[j]
		if !a.StartedAt.Equal(b.StartedAt) {
			return a.StartedAt.Before(b.StartedAt)
		}
		return a.ID < b.ID
	})
	for _, f := range m.obs.Failed {
		s.Failed = append(s.Failed, waiterhttp.InstanceSnapshot{ObservedInstance: f})
	}
	for _, k := range m.killed {
		s.Killed = append(s.Killed, waiterhttp.InstanceSnapshot{ObservedInstance: k})
	}
	return s
}
