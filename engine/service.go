package engine

import (
	"sort"
	"time"
)

// service is the engine's state for one service id.
type service struct {
	id     string
	desc   *Description
	scaler Scaler
	policy string

	// created: a CreateService was issued and not refused.
	created      bool
	createRetry  time.Time
	createdAt    time.Time
	suspended    bool
	removed      bool
	lastActivity time.Time

	instances map[string]*instance
	// sorted is the routing order (instance.before); sortDirty asks for a re-sort.
	sorted    []*instance
	sortDirty bool
	// freeSlots counts free slots on serving instances.
	freeSlots int

	queue, prio reqQueue
	waiting     int
	inflight    int
	// minDeadline is no later than the earliest queue deadline.
	minDeadline time.Time
	nextVisit   time.Time

	// The scheduler's view, corrected by the engine's own actions.
	observed  bool
	requested int
	scheduled int
	failed    []ObservedInstance

	deploymentError string

	// Scaling.
	scalingState  ScalingState
	lastDecision  Decision
	lastKillAt    time.Time
	killPending   string
	scalePending  bool
	lastObservedR int
}

func (s *service) outstanding() int { return s.waiting + s.inflight }

// resort restores the routing order and recounts free slots.
func (s *service) refresh() {
	if s.sortDirty {
		sort.Slice(s.sorted, func(i, j int) bool { return s.sorted[i].before(s.sorted[j]) })
		s.sortDirty = false
	}
	cl := s.desc.ConcurrencyLevel
	free := 0
	for _, in := range s.sorted {
		if in.serving() && in.inflight < cl {
			free += cl - in.inflight
		}
	}
	s.freeSlots = free
}

// counts summarises instances for the policy and for messages.
type instanceCounts struct {
	healthy, unhealthy, starting, expiredHealthy, expiredUnhealthy int
}

func (s *service) counts(now time.Time) instanceCounts {
	var c instanceCounts
	for _, in := range s.sorted {
		if in.killed {
			continue
		}
		if in.healthy {
			c.healthy++
			if in.expired() {
				c.expiredHealthy++
			}
		} else {
			c.unhealthy++
			if in.starting(now, s.desc.GracePeriod) {
				c.starting++
			}
			if in.expired() {
				c.expiredUnhealthy++
			}
		}
	}
	return c
}

func (s *service) addInstance(in *instance) {
	s.instances[in.id] = in
	s.sorted = append(s.sorted, in)
	s.sortDirty = true
}

func (s *service) dropInstance(in *instance) {
	delete(s.instances, in.id)
	for i, x := range s.sorted {
		if x == in {
			s.sorted = append(s.sorted[:i], s.sorted[i+1:]...)
			break
		}
	}
	in.gone = true
}
