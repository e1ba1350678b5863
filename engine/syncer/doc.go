// Package syncer decides how a router keeps the engine in sync with its
// scheduler: which scheduler observations the engine gets to see, when
// the scheduler is observed next, and the exact scheduler calls that
// carry out the engine's actions. It is Waiter's scheduler syncer made a
// pure state machine, so that the production driver
// (cmd/waiter/internal/router) and the simulator (sim) run the same
// rules and the simulator predicts their lag:
//
//   - staleness (observe.go): observations are numbered when they start
//     (a full poll, or one service's after a scheduler notification); one
//     that started before the newest already applied to a service is
//     dropped;
//   - lost services (observe.go): a service a poll does not list is
//     reported gone only when the scheduler created or reported it, no
//     call for it is in flight and its creation finished before the poll
//     started (pendingOps, createdAtSeq);
//   - tombstones (observe.go): a deleted service is never adopted again
//     while the scheduler still lists it; its tombstone goes once a poll
//     started after the delete finished no longer lists it. A service
//     re-created meanwhile (a request for the same id) waits for that:
//     its scheduler calls are held (calls.go), and no observation that
//     lists it, or started before the tombstone went, is applied to it,
//     since what it lists are the deleted incarnation's dying instances;
//     a delete that failed releases the calls at once. Nor does an
//     observation that started before a tombstone went adopt a service
//     or reach a record made after (buriedSeq): it too may list one;
//   - adoption (observe.go): a service the scheduler runs but the router
//     does not know is adopted when the driver can describe it;
//   - polling cadence (poll.go): every PollInterval, every
//     FastPollInterval while any request waits for an instance, at once
//     when one starts waiting and right after a successful scheduler call;
//   - scheduler calls (calls.go): kills carry the engine's options
//     (scale down or replace) and are forced once kills of the service
//     have failed for ForceKillAfter (Waiter's force-kill-after-ms);
//     results reach the engine with the scheduler's error value;
//   - operator kills (kill.go): the engine stops routing to the instance
//     and a refusal says why (ErrKillInProgress, ErrInstanceUnknown).
//
// Like the engine, a Syncer never starts a goroutine, performs I/O or
// reads a clock: every call carries its time and returns Actions for the
// driver to carry out in order. The driver owns goroutines, the clock and
// the scheduler connection; it reports back what it did (PollStarted,
// Observed, PollDone, CallDone).
package syncer
