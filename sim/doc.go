// Package sim is Waiter's deterministic discrete-event simulator. It runs
// the real engine (package engine) in virtual time against a simulated
// Mesos cluster and Marathon (sim/marathon), driven by the load a scenario
// describes (sim/scenario, sim/load), and measures what a policy does to
// latency, rejections, cold starts and cost (sim/stats).
//
// Three sources of timed work are merged in one loop (run.go): the
// Marathon model's own timers (sim/marathon), the load processes' next
// arrivals (a queue of their own, arrivals.go, because arrivals are the
// most frequent event: a heap, or with many processes a tournament tree
// keyed by process index, each process's arrivals drawn a few at a
// time), and every other event in an eventq queue ordered by
// (time, sequence): a timing wheel for the next second, where request
// completions fall, in front of a heap for the rest. At one instant Marathon's work runs first, then
// arrivals, then other events, so the order never depends on a map or a
// goroutine. The simulator owns virtual time and never reads a clock, and
// it starts no goroutine, listens on no socket and starts no process:
// what does is internal/fakemarathon. One seed derives every random
// stream, so one seed reproduces a run byte for byte.
//
// The router in the simulation is the production router's rules
// (engine/syncer around the engine): it learns instance state by polling
// the scheduler when the syncer says (every poll interval, faster while
// requests wait, at once after a scheduler call), drops stale
// observations, keeps tombstones, forces kills refused for a minute, and
// the scheduler's API answers after a latency, so the engine sees what
// `waiter serve` would see, not the model's truth. On Marathon each poll
// also checks the running instances Marathon does not call healthy yet,
// as Waiter's scheduler syncer does (SyncerProbes). A scenario's
// `scheduler: shell` makes the scheduler probe starting instances itself
// (engine.StartupProbeInterval) and notify the router at once, as
// adapters/shell does.
//
// A scenario with routers: N runs N such routers (cluster.go): each polls
// the scheduler itself and runs its own engine, which owns the slots of
// the engine's HRW distribution; a front balancer spreads the requests;
// the routers exchange counters every metrics-sync interval and the
// engine's inter-router actions (ejects before kills, kill delegation,
// work-stealing offers and releases) as messages that arrive after the
// cluster's lag; a model of the coordinator keeps the members in
// registration order, the first leading, and drops a crashed router after
// the session timeout. Router faults (router-crash, router-partition,
// leader-loss) act on this model. With one router none of it runs.
package sim
