package engine

import "context"

// Scheduler is the port a production driver uses to carry out the
// engine's scheduler actions and to poll the scheduler's state. Adapters
// implement it: adapters/shell (local processes) and adapters/marathon.
// The engine itself never calls it; drivers do, and report every outcome
// back as an Event (EvCreateResult, EvScaleResult, EvKillResult,
// EvServiceObserved).
type Scheduler interface {
	// CreateService starts d with the given number of instances. Creating
	// a service that already exists is not an error.
	CreateService(ctx context.Context, d *Description, instances int) error
	// ScaleService sets the requested instance count; force applies it
	// even while a deployment of the service is in progress.
	ScaleService(ctx context.Context, serviceID string, instances int, force bool) error
	// KillInstance stops one instance and decrements the requested count.
	KillInstance(ctx context.Context, serviceID, instanceID string) error
	// DeleteService stops every instance and forgets the service.
	DeleteService(ctx context.Context, serviceID string) error
	// Observe returns the scheduler's current view of every service it
	// runs, keyed by service id.
	Observe(ctx context.Context) (map[string]Observation, error)
}
