package realrun

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/waiter-go/waiter/sim/scenario"
)

// FirstInstance is one cold start a real run shows: a request that found
// its service with no healthy instance and how long it waited for the
// first one, from when it was sent (the router saw it then) to when an
// instance took it.
type FirstInstance struct {
	Service string
	// Startup is kitchen's start-up sleep for the service.
	Startup time.Duration
	// SentMS is when the episode's first request went out.
	SentMS float64
	// WaitMS is that request's latency less its lateness, its service time
	// and overheadMS (the path's cost every request pays).
	WaitMS float64
}

// FirstInstances finds every cold start of a real run: per service, the
// first request, and every later one sent after the previous cold start
// was over while the run's sampled healthy instances were 0, that waited
// at least the service's start-up (only a new instance makes a request
// wait that long with nothing healthy). overheadMS is taken off every
// wait. The first request of an episode waits longest (the queue is
// FIFO), so its wait is the time to the first instance.
func FirstInstances(sc *scenario.Scenario, run *Result, overheadMS float64) ([]FirstInstance, error) {
	startups := map[string]time.Duration{}
	for i := range sc.Services {
		s := &sc.Services[i]
		for c := range s.Copies() {
			name := s.CopyName(c)
			startups[name] = kitchenStartup(&s.Behaviour)
		}
	}
	by := map[string][]Request{}
	for _, q := range run.Requests {
		if q.Outcome == outcomeOK {
			by[q.Service] = append(by[q.Service], q)
		}
	}
	var out []FirstInstance
	for _, name := range sortedKeys(by) {
		startup, ok := startups[name]
		if !ok {
			return nil, fmt.Errorf("real run: requests of service %q, which the scenario does not have", name)
		}
		qs := by[name]
		sort.SliceStable(qs, func(i, j int) bool { return qs[i].SentMS < qs[j].SentMS })
		over := -1.0 // when the current cold start ended (ms); none yet
		for i, q := range qs {
			wait := q.LatencyMS - (q.SentMS - q.AtMS) - q.WorkMS - overheadMS
			if q.SentMS < over || wait < msOf(startup) {
				continue
			}
			if i > 0 && healthyAt(run, q.SentMS) > 0 {
				continue
			}
			out = append(out, FirstInstance{Service: name, Startup: startup, SentMS: q.SentMS, WaitMS: wait})
			over = q.SentMS + wait
		}
	}
	return out, nil
}

// healthyAt is the run's healthy instances at its last sample at or
// before ms.
func healthyAt(run *Result, ms float64) float64 {
	s := run.Report.Series
	k := sort.Search(len(s.TimeS), func(i int) bool { return s.TimeS[i]*1000 > ms }) - 1
	if k < 0 || k >= len(s.Healthy) {
		return 0
	}
	return s.Healthy[k]
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
