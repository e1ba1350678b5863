package marathon

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/engine"
)

// CreateService creates d's app with instances requested. An app that
// exists already (409, duplicate id) is not an error.
func (s *Scheduler) CreateService(ctx context.Context, d *engine.Description, instances int) error {
	app, err := s.descriptor(d, instances)
	if err != nil {
		return fmt.Errorf("marathon: create: %w", err)
	}
	name := "create " + d.ID
	err = s.call(ctx, name, func() error {
		_, err := s.client.CreateApplication(app)
		return err
	})
	var api *gomarathon.APIError
	if errors.As(err, &api) && api.ErrCode == gomarathon.ErrCodeDuplicateID {
		return nil
	}
	if err == nil {
		s.log.Info("marathon: created app", "service", d.ID, "instances", instances)
	}
	return wrap(name, err, ErrServiceNotFound)
}

// ScaleService sets the app's instance count with PUT ?force=true (as
// Waiter's update-app always does: a scale overrides a running
// deployment). With force, the count is engine.ForcedScaleCount of the
// target and the app's tasks, so that Marathon does not kill tasks of its
// own choosing: the engine kills the ones it chose with KillInstance.
func (s *Scheduler) ScaleService(ctx context.Context, serviceID string, instances int, force bool) error {
	name := fmt.Sprintf("scale %s to %d", serviceID, instances)
	if instances < 0 {
		return fmt.Errorf("marathon: %s: %w: negative count", name, ErrInvalidService)
	}
	err := s.call(ctx, name, func() error {
		n := instances
		if force {
			app, err := s.client.Application(serviceID)
			if err != nil {
				return err
			}
			if app == nil { // an answer without "app"
				return fmt.Errorf("%w: no app in the answer", gomarathon.ErrInvalidResponse)
			}
			n = engine.ForcedScaleCount(instances, len(app.Tasks))
		}
		_, err := s.client.ScaleApplicationInstances(serviceID, n, true)
		return err
	})
	// A PUT to an unknown app is a create without cmd, which Marathon
	// refuses with 422: the service does not exist.
	var api *gomarathon.APIError
	if errors.As(err, &api) && api.ErrCode == gomarathon.ErrCodeInvalidBean {
		return fmt.Errorf("marathon: %s: %w: %w", name, ErrServiceNotFound, err)
	}
	return wrap(name, err, ErrServiceNotFound)
}

// KillInstance kills one task: with scale=true (Marathon lowers the
// instance count and does not replace it) unless opts.Replace, and with
// force=true when opts.Force (engine/syncer forces kills that have been
// refused for a minute while a deployment holds the app).
func (s *Scheduler) KillInstance(ctx context.Context, serviceID, instanceID string, opts engine.KillOptions) error {
	name := fmt.Sprintf("kill %s of %s", instanceID, serviceID)
	if !strings.Contains(instanceID, ".") {
		// go-marathon finds the app in the task id ("<app>.<uuid>") and
		// would panic on one without a dot.
		return fmt.Errorf("marathon: %s: %w: not a Marathon task id", name, ErrInstanceNotFound)
	}
	if opts.Force {
		s.log.Info("marathon: forcing kill", "service", serviceID, "instance", instanceID)
	}
	err := s.call(ctx, name, func() error {
		_, err := s.client.KillTask(instanceID, &gomarathon.KillTaskOpts{Scale: !opts.Replace, Force: opts.Force})
		return err
	})
	return wrap(name, err, ErrInstanceNotFound)
}

// DeleteService deletes the app and forgets what the scheduler kept of
// it. An app Marathon does not know is deleted already: not an error.
func (s *Scheduler) DeleteService(ctx context.Context, serviceID string) error {
	name := "delete " + serviceID
	err := s.call(ctx, name, func() error {
		_, err := s.client.DeleteApplication(serviceID, false)
		return err
	})
	var api *gomarathon.APIError
	if err == nil || errors.As(err, &api) && api.ErrCode == gomarathon.ErrCodeNotFound {
		s.forget(serviceID)
		if err == nil {
			s.log.Info("marathon: deleted app", "service", serviceID)
		}
		return nil
	}
	return wrap(name, err, ErrServiceNotFound)
}

// forget drops what the scheduler keeps of a service.
func (s *Scheduler) forget(serviceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.failed, serviceID)
	delete(s.drift, serviceID)
}
