package engine

import (
	"math"
	"sort"
	"time"
)

// service is the engine's state for one service id.
//
// Its fields are laid out for memory, which bounds both of its hot paths
// with many services. The fields every scaling pass reads come first,
// packed into the first four cache lines: a pass over 10,000 services is
// bound by memory, not arithmetic (BenchmarkScalingPass10k), and
// spreading them over the whole struct made it touch a dozen lines per
// service. Within them, what a request's arrival and end also read
// (lookupRef, pick, dispatch, finish) sits in the first line and the
// fourth, and the rest of what they read in the two lines after: a
// request touches four lines of its service with a free instance, where
// it touched eight, nearly each a cache miss with a thousand services
// (large.yaml).
type service struct {
	// --- read by every scaling pass and every request -------------------
	desc   *Description
	scaler Scaler
	// created: a CreateService was issued and not refused.
	created   bool
	observed  bool
	removed   bool
	clustered bool // cluster mode (set by EvClusterChanged, see cluster_engine.go)
	sortDirty bool // sorted needs a re-sort
	// scalePending: a ActScaleService waits for its EvScaleResult.
	scalePending bool
	decided      bool // lastDecision holds a decision of the policy
	scalingState ScalingState
	waiting      int
	inflight     int
	// arrived and completed count requests since the last pass
	// (ScaleInput.Arrived, Completed).
	arrived, completed int

	// --- read by every scaling pass -------------------------------------

	// The scheduler's view, corrected by the engine's own actions.
	requested int
	scheduled int
	// healthy counts healthy, not killed instances (kept by refresh);
	// expHealthy and expUnhealthy the expired ones among the healthy and
	// the unhealthy not killed instances (the scaling pass reads them
	// instead of walking the instances).
	healthy                  int
	expHealthy, expUnhealthy int
	// idleTimeout and instanceExpiry are desc's (kept by setDesc), here
	// so that the pass does not read desc.
	idleTimeout, instanceExpiry time.Duration
	staleAt                     time.Time // set: stale, deleted once idle from then (stale.go)
	// expiryDue: no instance expires by age before then (zero: look).
	expiryDue    time.Time
	lastDecision Decision
	// samples are the once-a-second outstanding counts since the last
	// pass (ScaleInput.Concurrency); sampleNext is the next second of the
	// grid, zero until the service has a scaler (and for a policy that is
	// ConcurrencyFree). Each request reads sampleNext.
	samples    []float64
	sampleNext time.Time
	// --- end of what every pass reads ------------------------------------

	// --- read by every request (with sampleNext and the first line) -----

	// owner is the engine that holds the service, against which a
	// driver's ServiceRef is checked.
	owner *Engine
	// freeSlots counts free slots on serving instances.
	freeSlots    int
	id           string
	lastActivity time.Time
	// sorted is the routing order (instance.before).
	sorted []*instance
	// avail has bit i set when sorted[i] can take a request now; fresh
	// counts the non-expired prefix of sorted. They make pick O(n/64).
	avail           []uint64
	deploymentError string
	fresh           int
	// concurrency and lb are desc's ConcurrencyLevel and LoadBalancing
	// (kept by setDesc): every dispatch and every end of a request read
	// them, and the description's line was one more miss each time. An
	// int32 (concurrency-level is at most 10,000) keeps the three in
	// the group's last word.
	concurrency int32
	lb          LoadBalancing
	suspended   bool
	// --- end of what every request reads ---------------------------------

	policy      string
	createRetry time.Time
	instances   map[string]*instance

	queue, prio reqQueue

	// What a poll's observation writes beyond the lines above, together
	// on one line (TestObserveFieldsPacked): the simulator polls a
	// thousand services every second or so while requests wait, and each
	// line of a service that a poll touches is a miss.
	failed []ObservedInstance
	// schedulerError is the scheduler's own DeploymentError.
	schedulerError string
	lastObservedR  int

	// minDeadline is no later than the earliest queue deadline.
	minDeadline time.Time
	nextVisit   time.Time

	lastKillAt  time.Time
	killPending string

	// Cluster mode (see cluster_engine.go).
	// ejectPending: killPending waits for the peers' EvEjectResult.
	ejectPending bool
	killWhy      string
	// delegatedAt: an ActDelegateKill waits for its EvKillCandidate.
	delegatedAt time.Time
	// peerKillMissed: the last peer asked had no instance to kill (or its
	// answer was lost), so the next kill is this router's own if it has
	// one (killIdlest); any kill asked for clears it.
	peerKillMissed bool
	// distIDs are the healthy instances the slots were last distributed
	// over, to redistribute only when they change.
	distIDs []string
	// borrowed are the slots peers lent this router, lends the slots it
	// lent them, oldest first.
	borrowed, lends []slotLoan
}

// setDesc makes d the service's description.
func (s *service) setDesc(d *Description) {
	s.desc = d
	s.idleTimeout, s.instanceExpiry = d.IdleTimeout, d.InstanceExpiry
	s.concurrency, s.lb = int32(min(d.ConcurrencyLevel, math.MaxInt32)), d.LoadBalancing
	s.expiryDue = time.Time{} // instance-expiry-mins may have changed
}

// slotLoan is one slot of an instance lent between this router and a peer.
type slotLoan struct {
	router string
	in     *instance
}

// capacity is how many requests in may hold on this router at once: the
// concurrency level for a router alone, else its own slots plus borrowed
// minus lent ones.
func (s *service) capacity(in *instance) int {
	if !s.clustered {
		return int(s.concurrency)
	}
	return in.slots + in.received - in.lent
}

// owned is how many of in's slots this router owns.
func (s *service) owned(in *instance) int {
	if !s.clustered {
		return int(s.concurrency)
	}
	return in.slots
}

func (s *service) outstanding() int { return s.waiting + s.inflight }

// resort restores the routing order and recounts free slots.
func (s *service) refresh() {
	if s.sortDirty {
		sort.Slice(s.sorted, func(i, j int) bool { return s.sorted[i].before(s.sorted[j]) })
		s.sortDirty = false
	}
	free, healthy, fresh, expHealthy, expUnhealthy := 0, 0, 0, 0, 0
	words := (len(s.sorted) + 63) / 64
	if cap(s.avail) < words {
		s.avail = make([]uint64, words)
	}
	s.avail = s.avail[:words]
	clear(s.avail)
	for i, in := range s.sorted {
		in.pos = i
		if c := s.capacity(in); in.serving() && in.inflight < c {
			free += c - in.inflight
			s.avail[i>>6] |= 1 << (uint(i) & 63)
		}
		exp := in.expired()
		if in.healthy && !in.killed {
			healthy++
			if exp {
				expHealthy++
			}
		} else if !in.killed && exp {
			expUnhealthy++
		}
		if !exp {
			fresh++
		}
	}
	s.freeSlots, s.healthy, s.fresh = free, healthy, fresh
	s.expHealthy, s.expUnhealthy = expHealthy, expUnhealthy
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

// setAvail records whether in can take a request now.
func (s *service) setAvail(in *instance, ok bool) {
	if in.gone || in.pos >= len(s.sorted) || s.sorted[in.pos] != in {
		return
	}
	if ok {
		s.avail[in.pos>>6] |= 1 << (uint(in.pos) & 63)
	} else {
		s.avail[in.pos>>6] &^= 1 << (uint(in.pos) & 63)
	}
}
