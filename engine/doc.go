// Package engine is the pure core of Waiter in Go: it decides everything and
// does nothing.
//
// It owns:
//   - service descriptions: Waiter's parameters with their defaults, types,
//     ranges and cross-field rules, parsing from x-waiter-* headers, merging
//     with tokens, validation that reports every violation at once, the
//     size, UTF-8 and range limits that keep every value storable and
//     every derived duration from overflowing, and the service id
//     (description.go, params.go, headers.go, merge.go, validate.go,
//     limits.go, serviceid.go);
//   - per-service routing: slots, a FIFO queue with queue timeouts and a
//     maximum length, load balancing, ejection with exponential backoff
//     (routing.go, queue.go, instance.go);
//   - per-user limits: the services a run-as-user may have and the
//     instances its services may ask for (userlimits.go);
//   - autoscaling: the Policy interface, Waiter's policy, Knative's KPA
//     (decider and reconciler, fed once-a-second concurrency samples) and
//     the predictive policy, plus the executor rules that turn a decision
//     into scheduler actions (policy.go, policy_waiter.go,
//     policy_knative*.go, policy_predictive.go, concurrency_samples.go,
//     executor.go, killchoice.go);
//   - instance lifecycle: starting, healthy, unhealthy, failed, killed and
//     expired instances, deployment errors and idle-service removal
//     (lifecycle.go, deployment.go).
//
// The engine is a value-in, value-out state machine: Engine.Step takes an
// Event and returns the Actions the driver must carry out. It never starts a
// goroutine, performs I/O, reads a clock or uses global randomness. Every
// event carries its time and every random choice comes from Config.Seed, so
// the same events always give the same actions. Three drivers run it: the
// production router (cmd/waiter), the simulator (sim) and the tests.
//
// Pure packages under it decide the rest of what a driver would otherwise
// decide for itself: engine/syncer (how the router keeps in step with its
// scheduler) and engine/fallback (which service serves a request right
// after a token edit). The purity test covers them too.
//
// Errors the engine reports are values (*Error with a Code, and
// *ValidationError); only adapters/http maps them to HTTP status codes.
package engine
