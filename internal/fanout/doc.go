// Package fanout owns the schedulers' change notifications: a driver
// subscribes to a scheduler and receives the id of every service whose
// observation changed, so it observes at once instead of at its next
// poll. The shell and Kubernetes schedulers both publish through it, so
// the rule "a send never blocks the scheduler; a full buffer drops; the
// channel closes at shutdown" is written once.
package fanout
