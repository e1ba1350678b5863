// Package sim is Waiter's deterministic discrete-event simulator. It runs
// the real engine (package engine) in virtual time against a simulated
// Mesos cluster and Marathon (sim/marathon), driven by the load a scenario
// describes (sim/scenario, sim/load), and measures what a policy does to
// latency, rejections, cold starts and cost (sim/stats).
//
// Events sit in one heap ordered by (time, sequence); the simulator owns
// virtual time and never reads a clock; one seed derives every random
// stream, so one seed reproduces a run byte for byte.
//
// The router in the simulation is the production router's rules
// (engine/syncer around the engine): it learns instance state by polling
// the scheduler when the syncer says (every poll interval, faster while
// requests wait, at once after a scheduler call), drops stale
// observations, keeps tombstones, forces kills refused for a minute, and
// the scheduler's API answers after a latency, so the engine sees what
// `waiter serve` would see, not the model's truth. A scenario's
// `scheduler: shell` makes the scheduler probe starting instances itself
// (engine.StartupProbeInterval) and notify the router at once, as
// adapters/shell does.
package sim
