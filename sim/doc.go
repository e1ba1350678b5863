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
// The router in the simulation has the lag a real router has: it learns
// instance state by polling Marathon every poll interval, and Marathon's
// API answers after a latency, so the engine sees what `waiter serve`
// would see, not the model's truth.
package sim
