package shell

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/waiter-go/waiter/engine"
)

// CreateService starts d with the given number of instances. Creating a
// service that exists already changes nothing and is not an error. When
// an instance cannot be launched (no free ports, an unwritable work
// folder), nothing of the service is left and the error names it. A
// run-as-user that cannot be used here (no such account; another user's
// while the router is not root) is the service's fault, not the call's:
// the service exists, and Observe reports why as its DeploymentError.
func (s *Scheduler) CreateService(ctx context.Context, d *engine.Description, instances int) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("shell: create: %w", err)
	}
	sp, err := specOf(d)
	if err != nil {
		return fmt.Errorf("shell: create: %w", err)
	}
	if instances < 0 {
		return fmt.Errorf("shell: create %s: %w: %d instances", sp.ServiceID, ErrInvalidService, instances)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("shell: create %s: %w", sp.ServiceID, ErrClosed)
	}
	if _, ok := s.services[sp.ServiceID]; ok {
		return nil
	}
	svc := &service{spec: sp, dir: filepath.Join(s.cfg.WorkDir, sp.ServiceID),
		requested: instances, instances: map[string]*instance{}}
	if err := os.MkdirAll(svc.dir, folderMode); err != nil {
		return fmt.Errorf("shell: create %s: %w", sp.ServiceID, err)
	}
	s.services[sp.ServiceID] = svc
	s.saveService(svc)
	if err := s.reconcile(svc); err != nil {
		s.deleteService(svc)
		return fmt.Errorf("shell: create %s: %w", sp.ServiceID, err)
	}
	s.log.Info("shell: created service", "service", sp.ServiceID, "instances", instances)
	s.notify(sp.ServiceID)
	return nil
}

// ScaleService sets the requested instance count. Raising it launches the
// missing instances at once (or, while a failed instance awaits its
// replacement, with that replacement); lowering it below the live count stops the
// surplus, unhealthy ones first, youngest first (the engine normally kills
// chosen instances itself with KillInstance). force has no meaning here:
// there are no deployments to override.
func (s *Scheduler) ScaleService(ctx context.Context, serviceID string, instances int, force bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("shell: scale %s: %w", serviceID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, err := s.lookup("scale", serviceID)
	if err != nil {
		return err
	}
	if instances < 0 {
		return fmt.Errorf("shell: scale %s: %w: %d instances", serviceID, ErrInvalidService, instances)
	}
	svc.requested = instances
	s.saveService(svc)
	s.notify(serviceID)
	if surplus := len(svc.instances) - instances; surplus > 0 {
		for _, in := range scaleDownOrder(svc)[:surplus] {
			s.beginStop(in, svc.spec.TerminationGracePeriod)
		}
		return nil
	}
	if svc.retry != nil {
		// A failure is waiting out the retry interval: the pending retry
		// launches up to the new count, so repeated scale requests cannot
		// turn a crash loop into a tight one.
		return nil
	}
	if err := s.reconcile(svc); err != nil {
		return fmt.Errorf("shell: scale %s to %d: %w", serviceID, instances, err)
	}
	return nil
}

// scaleDownOrder lists svc's instances in the order a scale-down stops
// them: unhealthy before healthy, then youngest first, as Marathon's
// default kill selection does. s.mu held.
func scaleDownOrder(svc *service) []*instance {
	out := svc.sortedInstances()
	slices.SortStableFunc(out, func(a, b *instance) int {
		if a.healthy != b.healthy {
			if a.healthy {
				return 1
			}
			return -1
		}
		if c := b.startedAt.Compare(a.startedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	return out
}

// KillInstance stops one instance. Unless opts.Replace it decrements the
// requested count (Marathon's scale=true), so the instance is not
// replaced; with Replace (an operator's kill) the count stays and a
// replacement is launched at once. The group gets SIGTERM, then SIGKILL
// after termination-grace-period-secs (SIGKILL at once when that is 0, as
// Waiter's shell scheduler does, or when opts.Force); KillInstance
// returns once the signal is sent and Observe no longer lists the
// instance.
func (s *Scheduler) KillInstance(ctx context.Context, serviceID, instanceID string, opts engine.KillOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("shell: kill %s: %w", instanceID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, err := s.lookup("kill", serviceID)
	if err != nil {
		return err
	}
	in := svc.instances[instanceID]
	if in == nil {
		return fmt.Errorf("shell: kill %s of %s: %w", instanceID, serviceID, ErrInstanceNotFound)
	}
	if !opts.Replace {
		svc.requested = max(0, svc.requested-1)
		s.saveService(svc)
	}
	s.log.Info("shell: killing instance", "service", serviceID, "instance", instanceID, "replace", opts.Replace, "force", opts.Force)
	grace := svc.spec.TerminationGracePeriod
	if opts.Force {
		grace = 0
	}
	s.beginStop(in, grace)
	if opts.Replace && svc.retry == nil {
		if err := s.reconcile(svc); err != nil {
			return fmt.Errorf("shell: kill %s of %s: replacement: %w", instanceID, serviceID, err)
		}
	}
	return nil
}

// DeleteService stops every instance of the service (as KillInstance
// does) and forgets it, folders included once its processes are gone.
func (s *Scheduler) DeleteService(ctx context.Context, serviceID string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("shell: delete %s: %w", serviceID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, err := s.lookup("delete", serviceID)
	if err != nil {
		return err
	}
	s.log.Info("shell: deleting service", "service", serviceID)
	s.deleteService(svc)
	s.notify(serviceID)
	return nil
}

// deleteService stops svc's instances and removes it. s.mu held.
func (s *Scheduler) deleteService(svc *service) {
	svc.deleted = true
	svc.stopRetry()
	delete(s.services, svc.spec.ServiceID)
	for _, in := range svc.instances {
		s.beginStop(in, svc.spec.TerminationGracePeriod)
	}
	for _, f := range svc.failed {
		s.forgetFailure(f.in)
	}
	svc.failed = nil
	_ = os.Remove(filepath.Join(svc.dir, serviceRecordName))
	// Succeeds only when no instance folder is left; otherwise the last
	// instance to finish removes it (finish).
	_ = os.Remove(svc.dir)
}
