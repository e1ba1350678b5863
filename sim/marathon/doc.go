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
// Behaviour follows reference/marathon.md section 4. Where Marathon's code
// and docs disagree the code rule is used: health-check kills do not add
// launch backoff, a failed or exited task does (1 s x factor, capped at
// 3600 s), and success resets it.
package marathon
