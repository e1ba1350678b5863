package engine

import "context"

// Scheduler is the port a production driver uses to carry out the
// engine's scheduler actions and to poll the scheduler's state. Adapters
// implement it: adapters/shell (local processes) and adapters/marathon;
// the simulator carries out the same calls on its models. The engine
// itself never calls it; drivers do, through the rules of engine/syncer,
// and report every outcome back as an Event (EvCreateResult,
// EvScaleResult, EvKillResult, EvServiceObserved) whose Err is the
// scheduler's error value.
//
// The contract, which the shared suite internal/schedtest checks:
//   - an instance's environment is InstanceEnv's;
//   - a forced scale (force true) applies even while a deployment of
//     the service runs, and never asks for fewer instances than the
//     service has tasks (ForcedScaleCount), so that the scheduler kills
//     none of its own choosing: the engine kills the ones it chose;
//   - a kill says whether the requested count drops with it (a
//     scale-down) or stays (Replace: the scheduler starts a replacement),
//     and whether it is forced (Force: even while a deployment holds the
//     service, and with SIGKILL at once).
type Scheduler interface {
	// CreateService starts d with the given number of instances. Creating
	// a service that already exists is not an error.
	CreateService(ctx context.Context, d *Description, instances int) error
	// ScaleService sets the requested instance count; force applies it
	// even while a deployment of the service is in progress, as
	// ForcedScaleCount(instances, tasks).
	ScaleService(ctx context.Context, serviceID string, instances int, force bool) error
	// KillInstance stops one instance as opts say.
	KillInstance(ctx context.Context, serviceID, instanceID string, opts KillOptions) error
	// DeleteService stops every instance and forgets the service.
	DeleteService(ctx context.Context, serviceID string) error
	// Observe returns the scheduler's current view of every service it
	// runs, keyed by service id.
	Observe(ctx context.Context) (map[string]Observation, error)
}

// KillOptions say how ActKillInstance kills: the engine decides them
// (Action.Replace, and Action.Force as engine/syncer amends it).
type KillOptions struct {
	// Replace keeps the requested count, so the scheduler starts a
	// replacement (an operator's kill). Otherwise the count drops by one
	// with the kill (Marathon's scale=true): a scale-down.
	Replace bool
	// Force kills even while a deployment holds the service, with
	// SIGKILL at once (Marathon's force=true).
	Force bool
}

// KillOptionsOf returns the options of an ActKillInstance.
func KillOptionsOf(a Action) KillOptions { return KillOptions{Replace: a.Replace, Force: a.Force} }

// ForcedScaleCount is the count a forced scale asks for: the target, or
// the tasks that run when there are more (Waiter scales with PUT
// ?force=true and max(target, tasks) when it overshoots), so that the
// scheduler kills no task of its own choosing.
func ForcedScaleCount(target, tasks int) int { return max(target, tasks) }
