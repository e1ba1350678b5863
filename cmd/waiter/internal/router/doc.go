// Package router is the production driver of the engine: the one goroutine
// that owns an *engine.Engine and turns the outside world into its events
// and its actions into effects.
//
// Everything that reaches the engine goes through one channel of closures
// run on the driver goroutine, so the engine stays single-threaded and
// pure while HTTP handlers, scheduler calls, timers and the scheduler
// poller run concurrently:
//
//   - proxied requests arrive through Admit (EvRequestArrived) and wait on
//     a reply channel for ActDispatch (a Grant with the instance's
//     host:port) or ActReject (the engine's error); Release and a canceled
//     context report EvRequestFinished and EvRequestCanceled;
//   - create, scale, kill and delete actions run on a small worker pool,
//     serialised per service so a delete never overtakes the create before
//     it, and come back as EvCreateResult, EvScaleResult and EvKillResult;
//   - ActWakeAt resets one clock timer that delivers EvTick;
//   - a poller calls Scheduler.Observe every PollInterval (FastPollInterval
//     while requests wait for an instance, and at once after a create,
//     scale or kill) and feeds EvServiceObserved for every service; a
//     scheduler that announces changes (Subscribe and ObserveService, as
//     adapters/shell does) is also observed per service the moment it
//     says something changed, so a cold start is served as soon as the
//     instance is healthy.
//
// The driver also mirrors what it learns (descriptions, observations,
// queued and in-flight requests per service and instance, rejections for
// deployment errors) so the HTTP API can show services without reaching
// into the engine; Services and Service return copies. Time comes only
// from the injected github.com/benbjohnson/clock, request ids from an
// atomic counter.
package router
