// Package schedtest is the contract every engine.Scheduler meets, as one
// test suite that each scheduler's tests run against a live instance:
// adapters/shell (local processes), adapters/marathon on the simulated
// Marathon served over HTTP, and, when MARATHON_URL names one, on a real
// Marathon.
//
// Run drives the Scheduler port alone (CreateService, ScaleService,
// KillInstance, DeleteService, Observe) with a tiny HTTP service built
// from testdata/service with the go command (CI has only Go), and checks
// what a driver relies on: a created service becomes healthy and serves
// on the host and port it reports, with PORT0 and Waiter's environment;
// creating it again changes nothing; it scales up; a kill removes one
// instance and lowers the requested count; a delete stops everything;
// an exiting command is reported as a failure with its exit code, and
// one that never passes its health check as never-passed-health-checks.
//
// Every wait polls Observe with a deadline; nothing sleeps to
// synchronise. Schedulers differ in timing (Marathon's deployments lock
// an app for a while, and refuse kills meanwhile), so calls the port
// allows to fail transiently are retried until the deadline.
package schedtest
