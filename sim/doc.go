// Package sim is Waiter's deterministic discrete-event simulator. It runs
// the real engine (package engine) in virtual time against a simulated
// Mesos cluster and Marathon (sim/marathon), driven by the load a scenario
// describes (sim/scenario, sim/load), and measures what a policy does to
// latency, rejections, cold starts and cost (sim/stats).
//
// Three sources of timed work are merged in one loop (run.go): the
// Marathon model's own timers (sim/marathon), the load processes' next
// arrivals (a heap of its own, arrivals.go, because arrivals are the most
// frequent event), and every other event in an eventq heap ordered by
// (time, sequence). At one instant Marathon's work runs first, then
// arrivals, then other events, so the order never depends on a map or a
// goroutine. The simulator owns virtual time and never reads a clock, and
// it starts no goroutine, listens on no socket and starts no process:
// what does is internal/fakemarathon. One seed derives every random
// stream, so one seed reproduces a run byte for byte.
//
// The router in the simulation has the lag a real router has: it learns
// instance state by polling Marathon every poll interval, and Marathon's
// API answers after a latency, so the engine sees what `waiter serve`
// would see, not the model's truth.
package sim
