// Package stopsig owns how Waiter's long-running processes take SIGTERM
// and SIGINT: the first ends a context (the process drains and exits),
// and from then until the process exits every repeat is dropped. A
// supervisor that repeats its SIGTERM, or an operator's second Ctrl-C,
// then cannot turn a clean exit 0 into a death by signal. `waiter serve`,
// the kitchen test backend and `waiter-sim marathon` all stop this way.
package stopsig
