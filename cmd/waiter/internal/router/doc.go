// Package router is the production driver of the engine, implementing the
// domain's waiter.Router port: wiring and real-time I/O around
// engine/syncer, which wraps the engine with the router's rules (polling
// cadence, stale observations, lost services, tombstones, kill options
// and forced kills, operator kills). Every decision is the syncer's or the
// engine's; the simulator runs the same two, so what it predicts is what
// this driver does.
//
// The driver owns only goroutines, the clock, the scheduler connection
// and the request hand-off. Callers run their event on their own
// goroutine while holding the driver's mutex (do), so the syncer and the
// engine stay single-threaded and pure while HTTP handlers, scheduler
// calls, timers and the pollers run concurrently:
//
//   - proxied requests arrive through Admit (EvRequestArrived) and wait on
//     a reply channel for ActDispatch (a Grant with the host and port the
//     engine puts in the action) or ActReject (the engine's error);
//     Release and a canceled context report EvRequestFinished and
//     EvRequestCanceled;
//   - Start (EvStartService) starts a service without a request, and
//     KillInstance (syncer.OperatorKill) is an operator's kill: the engine
//     stops routing to the instance and the scheduler kills it keeping
//     the requested count (engine.KillOptions.Replace), so a replacement
//     starts;
//   - scheduler calls (create, scale, kill, delete) run on a small worker
//     pool, serialised per service so a delete never overtakes the create
//     before it, and report back through syncer.CallDone (a call that
//     panics, an adapter's bug, reports an error: guardedCall); a successful
//     delete, and a new service the engine refused after the HTTP edge
//     stored its description (CheckCreate lets the edge ask first), are
//     reported to Config.Forget, so the store's retention knows which
//     stored descriptions belong to no running service;
//   - ActWakeAt resets one clock timer that delivers EvTick;
//   - a poller calls Scheduler.Observe when the syncer's ActPollAt says
//     so, and hands the result to the syncer (PollStarted, Observed,
//     PollDone); a scheduler that announces changes (Subscribe and
//     ObserveService, as adapters/shell does) is also observed per service
//     the moment it says something changed.
//
// The HTTP API's views (Services, Service, ServiceLoads, State) are the
// engine's own snapshots (engine.Engine.Service, ServiceLoad) with the
// syncer's view (the scheduler's last report, recently killed instances)
// and the driver's request totals, taken under the lock and converted
// off it.
//
// For the dashboard and /metrics the driver also keeps, per service
// (svcRecord), a ring of samples of its instance and request counts over
// the last hour (history.go), counters of cold starts, launches, kills and
// failures (counters.go, noted from the observations the syncer applied),
// and a router-wide log of recent deployment errors (deployerrors.go): the
// waiter.HistoryKeeper port.
//
// The Driver is also a prometheus.Collector (metrics.go): scheduler calls,
// lock wait (event-loop lag), request latency, queue wait and instance
// start-up time. Time comes only from the injected
// github.com/benbjohnson/clock, request ids from an atomic counter.
package router
