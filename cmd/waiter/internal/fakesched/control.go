package fakesched

import (
	"context"

	"github.com/waiter-go/waiter/engine"
)

// StartUnhealthy makes new instances of a service start unhealthy.
func (s *Scheduler) StartUnhealthy(serviceID string, unhealthy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unhealthy[serviceID] = unhealthy
}

// SetHealthy sets the health of every instance of a service.
func (s *Scheduler) SetHealthy(serviceID string, healthy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc := s.services[serviceID]; svc != nil {
		for _, in := range svc.instances {
			in.Healthy = healthy
		}
	}
}

// Crash makes an instance refuse connections while the scheduler still
// lists it as healthy: the router only learns from the failing requests.
func (s *Scheduler) Crash(instanceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range s.services {
		for _, in := range svc.instances {
			if in.ID == instanceID && !in.dead && !in.crashed {
				// Still listed and reported as before, as a scheduler that
				// has not noticed yet would.
				in.crashed = true
				in.Server.CloseClientConnections()
				in.Server.Close()
				return
			}
		}
	}
}

// Instances returns a copy of a service's instances.
func (s *Scheduler) Instances(serviceID string) []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc := s.services[serviceID]
	if svc == nil {
		return nil
	}
	out := make([]Instance, 0, len(svc.instances))
	for _, in := range svc.instances {
		out = append(out, *in)
	}
	return out
}

// Services lists the ids of the services it runs.
func (s *Scheduler) Services() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.services))
	for id := range s.services {
		out = append(out, id)
	}
	return out
}

// Calls reports how often an operation was called ("create", "scale",
// "kill", "delete", "observe").
func (s *Scheduler) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// ObserveService reports one service (Exists false when it runs none).
// With a Subscribe method added by a test, the driver treats the scheduler
// as one that announces changes.
func (s *Scheduler) ObserveService(ctx context.Context, id string) (engine.Observation, error) {
	all, err := s.Observe(ctx)
	if err != nil {
		return engine.Observation{}, err
	}
	return all[id], nil
}
