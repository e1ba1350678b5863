// Package marathon models Marathon on a Mesos cluster in virtual time: apps,
// tasks placed on agents with cpus and memory, launch latency, health checks
// with grace period, interval and maximum consecutive failures, launch
// backoff, deployments that lock an app until they finish (unless forced),
// kill with scale, and delete.
//
// The model is a pure state machine like the engine: every method takes the
// current virtual time, internal timed work sits in an event queue that the
// caller drains with Advance, and every random draw comes from a seeded
// rng.Source. The simulator drives it in virtual time; the same model can be
// served over Marathon's REST API in real time.
//
// Programs run in one of two ways. With no Runtime (the simulator's case)
// each app's Behavior simulates its program in virtual time: when it
// listens, whether it passes health checks, whether it exits. With a
// Runtime (runtime.go), the model starts, health-checks and stops real
// programs through it and learns of results and exits through
// HealthCheckDone and ProgramEnded; internal/fakemarathon/procs runs them
// as local processes and internal/fakemarathon serves the model over
// Marathon's REST API in real time (`waiter-sim marathon`). control.go holds the rest of Marathon's operations
// (restart, launch-queue delay) and the faults a test server injects
// (slow and held deployments).
//
// Behaviour follows reference/marathon.md section 4. Where Marathon's code
// and docs disagree the code rule is used: health-check kills do not add
// launch backoff, a failed or exited task does (1 s x factor, capped at
// 3600 s), and success resets it.
package marathon
