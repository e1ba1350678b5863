package shell

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/waiter-go/waiter/engine"
)

// Observe returns every service's state: requested and scheduled counts
// (scheduled = live instances not being stopped), the live instances
// oldest first, and the most recent failures newest last.
func (s *Scheduler) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("shell: observe: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("shell: observe: %w", ErrClosed)
	}
	out := make(map[string]engine.Observation, len(s.services))
	for id, svc := range s.services {
		out[id] = svc.observation()
	}
	return out, nil
}

// ObserveService returns one service's state, Exists false when the
// scheduler does not run it. It is the cheap call for a driver woken by
// Subscribe.
func (s *Scheduler) ObserveService(ctx context.Context, serviceID string) (engine.Observation, error) {
	if err := ctx.Err(); err != nil {
		return engine.Observation{}, fmt.Errorf("shell: observe %s: %w", serviceID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return engine.Observation{}, fmt.Errorf("shell: observe %s: %w", serviceID, ErrClosed)
	}
	svc := s.services[serviceID]
	if svc == nil {
		return engine.Observation{}, nil
	}
	return svc.observation(), nil
}

// observation snapshots svc. s.mu held.
func (svc *service) observation() engine.Observation {
	obs := engine.Observation{Exists: true, Requested: svc.requested, Scheduled: len(svc.instances),
		DeploymentError: svc.deployErr}
	obs.Instances = make([]engine.ObservedInstance, 0, len(svc.instances))
	for _, in := range svc.sortedInstances() {
		obs.Instances = append(obs.Instances, in.observed())
	}
	if len(svc.failed) > 0 {
		obs.Failed = make([]engine.ObservedInstance, len(svc.failed))
		for i, f := range svc.failed {
			obs.Failed[i] = f.obs
		}
	}
	return obs
}

// sortedInstances lists svc's live instances oldest first (ties by id),
// so observations do not depend on map order. s.mu held.
func (svc *service) sortedInstances() []*instance {
	out := make([]*instance, 0, len(svc.instances))
	for _, in := range svc.instances {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b *instance) int {
		if c := a.startedAt.Compare(b.startedAt); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out
}

// InstanceDir is the folder of an instance: its cwd, holding its stdout
// and stderr (Waiter's log directory), owned by its run-as-user. It stays after a failure
// while the failure is listed in Observe.
func (s *Scheduler) InstanceDir(serviceID, instanceID string) string {
	return filepath.Join(s.cfg.WorkDir, serviceID, instanceID)
}
