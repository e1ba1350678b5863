package fakesched

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Scheduler runs instances as httptest servers. The zero value is not
// usable; call New.
type Scheduler struct {
	// handler builds the backend of an instance.
	handler func(d *engine.Description) http.Handler
	// Notify, when set before use, is called after every operation with
	// its name ("create", "scale", "kill", "delete"; not "observe") and
	// service id, outside the lock: tests wait on it instead of sleeping.
	Notify func(op, serviceID string)

	mu        sync.Mutex
	services  map[string]*service
	seq       int
	unhealthy map[string]bool // service id -> new instances start unhealthy
	calls     map[string]int
	closed    bool
}

type service struct {
	desc      *engine.Description
	requested int
	instances []*Instance
	failed    []engine.ObservedInstance
}

// Instance is one fake instance.
type Instance struct {
	ID      string
	Service string
	Server  *httptest.Server
	Started time.Time
	Healthy bool
	// dead instances are stopped and reported unhealthy; crashed ones
	// refuse connections but are still reported as they were.
	dead    bool
	crashed bool
}

// Addr is the instance's host:port.
func (in *Instance) Addr() string { return in.Server.Listener.Addr().String() }

// New returns a scheduler whose instances serve handler(d).
func New(handler func(d *engine.Description) http.Handler) *Scheduler {
	return &Scheduler{handler: handler, services: map[string]*service{},
		unhealthy: map[string]bool{}, calls: map[string]int{}}
}

// ErrClosed is returned by every call after Shutdown.
var ErrClosed = errors.New("fakesched: scheduler shut down")

func (s *Scheduler) notify(op, id string) {
	if s.Notify != nil {
		s.Notify(op, id)
	}
}

func (s *Scheduler) count(op string) error {
	s.calls[op]++
	if s.closed {
		return ErrClosed
	}
	return nil
}

// CreateService starts instances (creating an existing service is a no-op).
func (s *Scheduler) CreateService(_ context.Context, d *engine.Description, instances int) error {
	defer s.notify("create", d.ID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.count("create"); err != nil {
		return err
	}
	if _, ok := s.services[d.ID]; ok {
		return nil
	}
	svc := &service{desc: d}
	s.services[d.ID] = svc
	s.scaleLocked(svc, instances)
	return nil
}

// ScaleService starts or stops instances to reach the requested count; a
// forced scale stops none (engine.ForcedScaleCount).
func (s *Scheduler) ScaleService(_ context.Context, id string, instances int, force bool) error {
	defer s.notify("scale", id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.count("scale"); err != nil {
		return err
	}
	svc, ok := s.services[id]
	if !ok {
		return fmt.Errorf("fakesched: scale %s: no such service", id)
	}
	if force {
		instances = engine.ForcedScaleCount(instances, len(svc.instances))
	}
	s.scaleLocked(svc, instances)
	return nil
}

func (s *Scheduler) scaleLocked(svc *service, n int) {
	svc.requested = n
	for len(svc.instances) < n {
		s.seq++
		in := &Instance{
			ID:      svc.desc.ID + "." + strconv.Itoa(s.seq),
			Service: svc.desc.ID,
			Server:  httptest.NewServer(s.handler(svc.desc)),
			Started: time.Now(),
			Healthy: !s.unhealthy[svc.desc.ID],
		}
		svc.instances = append(svc.instances, in)
	}
	for len(svc.instances) > n {
		last := svc.instances[len(svc.instances)-1]
		closeInstance(last)
		svc.instances = svc.instances[:len(svc.instances)-1]
	}
}

// KillInstance stops one instance and decrements the requested count, or,
// with opts.Replace, starts a replacement.
func (s *Scheduler) KillInstance(_ context.Context, id, instanceID string, opts engine.KillOptions) error {
	defer s.notify("kill", id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.count("kill"); err != nil {
		return err
	}
	svc, ok := s.services[id]
	if !ok {
		return fmt.Errorf("fakesched: kill %s: no such service", id)
	}
	for i, in := range svc.instances {
		if in.ID == instanceID {
			closeInstance(in)
			svc.instances = append(svc.instances[:i], svc.instances[i+1:]...)
			if opts.Replace {
				s.scaleLocked(svc, svc.requested)
			} else {
				svc.requested--
			}
			return nil
		}
	}
	return fmt.Errorf("fakesched: kill %s: no such instance", instanceID)
}

// DeleteService stops every instance and forgets the service.
func (s *Scheduler) DeleteService(_ context.Context, id string) error {
	defer s.notify("delete", id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.count("delete"); err != nil {
		return err
	}
	if svc, ok := s.services[id]; ok {
		for _, in := range svc.instances {
			closeInstance(in)
		}
		delete(s.services, id)
	}
	return nil
}

// Observe reports every service.
func (s *Scheduler) Observe(context.Context) (map[string]engine.Observation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.count("observe"); err != nil {
		return nil, err
	}
	out := make(map[string]engine.Observation, len(s.services))
	for id, svc := range s.services {
		o := engine.Observation{Exists: true, Requested: svc.requested, Scheduled: len(svc.instances),
			Failed: append([]engine.ObservedInstance(nil), svc.failed...)}
		for _, in := range svc.instances {
			host, portStr, _ := net.SplitHostPort(in.Addr())
			port, _ := strconv.Atoi(portStr)
			o.Instances = append(o.Instances, engine.ObservedInstance{ID: in.ID, Host: host, Port: port,
				StartedAt: in.Started, Healthy: in.Healthy && !in.dead, Flags: engine.FlagHasConnected | engine.FlagHasResponded})
		}
		out[id] = o
	}
	return out, nil
}

// Shutdown stops every instance (what `waiter serve` calls on SIGTERM).
func (s *Scheduler) Shutdown(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range s.services {
		for _, in := range svc.instances {
			closeInstance(in)
		}
	}
	s.services = map[string]*service{}
	s.closed = true
	return nil
}

func closeInstance(in *Instance) {
	if in.dead {
		return
	}
	in.dead = true
	if !in.crashed {
		in.Server.CloseClientConnections()
		in.Server.Close()
	}
}
