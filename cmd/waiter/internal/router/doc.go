// Package router is the production driver of the engine: it owns an
// *engine.Engine and turns the outside world into its events and its
// actions into effects. It implements the domain's waiter.Router port.
//
// Everything that reaches the engine runs under one mutex, on the
// caller's own goroutine (Driver.do): a request's admission and release
// cost no goroutine hand-off, and the engine stays single-threaded and
// pure while HTTP handlers, scheduler calls, timers and the scheduler
// pollers run concurrently:
//
//   - proxied requests arrive through Admit (EvRequestArrived) and wait on
//     a reply channel for ActDispatch (a Grant with the host and port the
//     engine puts in the action) or ActReject (the engine's error);
//     Release and a canceled context report EvRequestFinished and
//     EvRequestCanceled;
//   - Start (EvStartService) starts a service without a request, and
//     KillInstance (EvKillInstance) is an operator's kill: the engine stops
//     routing to the instance and the driver kills it and asks the
//     scheduler for the same count again, so a replacement starts
//     (kill.go says why it is done that way);
//   - create, scale, kill and delete actions run on a small worker pool,
//     serialised per service so a delete never overtakes the create before
//     it, and come back as EvCreateResult, EvScaleResult and EvKillResult;
//     a successful delete, and a new service the engine refused after the
//     HTTP edge stored its description (CheckCreate lets the edge ask
//     first), are reported to Config.Forget, so the store's retention
//     knows which stored descriptions belong to no running service;
//   - ActWakeAt resets one clock timer that delivers EvTick;
//   - a poller calls Scheduler.Observe every PollInterval (FastPollInterval
//     while requests wait for an instance, and at once after a create,
//     scale or kill) and feeds EvServiceObserved for every service; a
//     scheduler that announces changes (Subscribe and ObserveService, as
//     adapters/shell does) is also observed per service the moment it
//     says something changed, so a cold start is served as soon as the
//     instance is healthy.
//
// The HTTP API's views (Services, Service, ServiceLoads, State) are the
// engine's own snapshots (engine.Engine.Service, ServiceLoad), taken on the
// driver goroutine and converted off it, so /apps shows Failing the moment
// the engine computes a deployment error and the instance states, scaling
// state and autoscaler decision are the engine's. The driver keeps only
// what the engine does not know or does not show (svcRecord: request
// totals and the last request time, the scheduler's last report with
// health-check statuses and flags, recently killed instances, and what it
// needs to tell a lost service from a slow poll).
//
// For the dashboard and /metrics the driver also keeps, per service, a
// ring of samples of its instance and request counts over the last hour
// (history.go), counters of cold starts, launches, kills and failures
// (counters.go), and a router-wide log of recent deployment errors
// (deployerrors.go): the waiter.HistoryKeeper port.
//
// The Driver is also a prometheus.Collector (metrics.go): scheduler calls,
// event-loop lag, request latency, queue wait and instance start-up time. Time comes only from the
// injected github.com/benbjohnson/clock, request ids from an atomic counter.
package router
